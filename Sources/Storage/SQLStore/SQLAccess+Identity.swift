import Domain
import Foundation
import SolarSecurity

extension SQLAccess {
    // MARK: Refresh tokens

    func insertRefreshToken(_ t: RefreshTokenRecord) throws {
        try conn.execute(
            "INSERT INTO refresh_tokens (id, session_id, token_hash, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?)",
            [.uuid(t.id), .uuid(t.sessionID), .text(t.tokenHash), .date(t.createdAt), .date(t.expiresAt), .date(t.usedAt)]
        )
    }

    func refreshToken(hash: String) throws -> RefreshTokenRecord? {
        try conn.query("SELECT id, session_id, token_hash, created_at, expires_at, used_at FROM refresh_tokens WHERE token_hash = ?", [.text(hash)])
            .first.map { row in
                RefreshTokenRecord(id: try row.uuid("id"), sessionID: try row.uuid("session_id"), tokenHash: try row.string("token_hash"),
                                   createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at"), usedAt: try row.optionalDate("used_at"))
            }
    }

    func useRefreshToken(id: UUID, at: Date) throws -> Bool {
        try conn.execute("UPDATE refresh_tokens SET used_at = ? WHERE id = ? AND used_at IS NULL", [.date(at), .uuid(id)]) == 1
    }

    // MARK: MFA

    func totp(accountID: UUID) throws -> TOTPRecord? {
        try conn.query("SELECT account_id, secret_ciphertext, confirmed_at, last_used_step, created_at FROM mfa_totp WHERE account_id = ?", [.uuid(accountID)])
            .first.map { row in
                TOTPRecord(accountID: try row.uuid("account_id"), secretCiphertext: try row.string("secret_ciphertext"),
                           confirmedAt: try row.optionalDate("confirmed_at"), lastUsedStep: try row.int("last_used_step"),
                           createdAt: try row.date("created_at"))
            }
    }

    func saveTOTP(_ r: TOTPRecord) throws {
        try deleteTOTP(accountID: r.accountID)
        try conn.execute(
            "INSERT INTO mfa_totp (account_id, secret_ciphertext, confirmed_at, last_used_step, created_at) VALUES (?, ?, ?, ?, ?)",
            [.uuid(r.accountID), .text(r.secretCiphertext), .date(r.confirmedAt), .int(r.lastUsedStep), .date(r.createdAt)]
        )
    }

    func deleteTOTP(accountID: UUID) throws {
        try conn.execute("DELETE FROM mfa_totp WHERE account_id = ?", [.uuid(accountID)])
    }

    func advanceTOTPStep(accountID: UUID, to step: Int64) throws -> Bool {
        try conn.execute(
            "UPDATE mfa_totp SET last_used_step = ? WHERE account_id = ? AND last_used_step < ?",
            [.int(step), .uuid(accountID), .int(step)]
        ) == 1
    }

    func replaceRecoveryCodes(accountID: UUID, hashes: [String], at: Date) throws {
        try conn.execute("DELETE FROM recovery_codes WHERE account_id = ?", [.uuid(accountID)])
        for hash in hashes {
            try conn.execute(
                "INSERT INTO recovery_codes (id, account_id, code_hash, created_at, used_at) VALUES (?, ?, ?, ?, NULL)",
                [.uuid(UUID.random()), .uuid(accountID), .text(hash), .date(at)]
            )
        }
    }

    func useRecoveryCode(accountID: UUID, hash: String, at: Date) throws -> Bool {
        try conn.execute(
            "UPDATE recovery_codes SET used_at = ? WHERE account_id = ? AND code_hash = ? AND used_at IS NULL",
            [.date(at), .uuid(accountID), .text(hash)]
        ) == 1
    }

    // MARK: Throttling

    func throttle(key: String) throws -> ThrottleRecord? {
        try conn.query("SELECT throttle_key, failures, locked_until, last_failure_at FROM login_throttle WHERE throttle_key = ?", [.text(key)])
            .first.map { row in
                ThrottleRecord(key: try row.string("throttle_key"), failures: Int(try row.int("failures")),
                               lockedUntil: try row.optionalDate("locked_until"), lastFailureAt: try row.date("last_failure_at"))
            }
    }

    func countThrottleFailures(keys: [String], now: Date, windowStart: Date) throws -> [String: Int] {
        // Increment in SQL, so concurrent failures are never lost: the UPDATE works on the
        // newest row version and holds its lock to the end of the transaction. A missing row is
        // inserted; if another transaction inserted it first, the duplicate key sends us back
        // to the UPDATE (which then waits for that transaction).
        for key in keys {
            if try increment(key, now: now, windowStart: windowStart) { continue }
            do {
                try conn.execute("INSERT INTO login_throttle (throttle_key, failures, locked_until, last_failure_at) VALUES (?, 1, NULL, ?)",
                                 [.text(key), .date(now)])
            } catch StorageError.conflict {
                guard try increment(key, now: now, windowStart: windowStart) else { throw StorageError.conflict }
            }
        }
        // Read back only now: every row is locked by us, so the first read of the transaction
        // (InnoDB takes its snapshot there) sees the newest counts.
        var counts: [String: Int] = [:]
        for key in keys {
            counts[key] = try conn.query("SELECT failures FROM login_throttle WHERE throttle_key = ?", [.text(key)]).first.map { Int(try $0.int("failures")) }
        }
        return counts
    }

    private func increment(_ key: String, now: Date, windowStart: Date) throws -> Bool {
        try conn.execute(
            """
            UPDATE login_throttle SET failures = CASE WHEN last_failure_at > ? THEN failures + 1 ELSE 1 END, last_failure_at = ?
            WHERE throttle_key = ?
            """,
            [.date(windowStart), .date(now), .text(key)]
        ) == 1
    }

    func setThrottleLock(key: String, until: Date?) throws {
        try conn.execute("UPDATE login_throttle SET locked_until = ? WHERE throttle_key = ?", [.date(until), .text(key)])
    }

    func clearThrottle(key: String) throws {
        try conn.execute("DELETE FROM login_throttle WHERE throttle_key = ?", [.text(key)])
    }

    // MARK: Recovery

    func updatePassword(accountID: UUID, hash: String) throws {
        try conn.execute("UPDATE accounts SET password_hash = ? WHERE id = ?", [.text(hash), .uuid(accountID)])
    }

    func markEmailVerified(accountID: UUID, at: Date) throws {
        try conn.execute("UPDATE accounts SET email_verified_at = ? WHERE id = ? AND email_verified_at IS NULL", [.date(at), .uuid(accountID)])
    }

    func insertOneTimeToken(id: UUID, purpose: OneTimePurpose, accountID: UUID, tokenHash: String, createdAt: Date, expiresAt: Date) throws {
        try conn.execute(
            "INSERT INTO one_time_tokens (id, purpose, account_id, token_hash, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, ?, ?, NULL)",
            [.uuid(id), .text(purpose.rawValue), .uuid(accountID), .text(tokenHash), .date(createdAt), .date(expiresAt)]
        )
    }

    func peekOneTimeTokenAccount(hash: String, purpose: OneTimePurpose, now: Date) throws -> UUID? {
        try conn.query(
            "SELECT account_id FROM one_time_tokens WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
            [.text(hash), .text(purpose.rawValue), .date(now)]
        ).first.map { try $0.uuid("account_id") }
    }

    func useOneTimeToken(hash: String, purpose: OneTimePurpose, now: Date) throws -> UUID? {
        let used = try conn.execute(
            "UPDATE one_time_tokens SET used_at = ? WHERE token_hash = ? AND purpose = ? AND used_at IS NULL AND expires_at > ?",
            [.date(now), .text(hash), .text(purpose.rawValue), .date(now)]
        )
        guard used == 1 else { return nil }
        return try conn.query("SELECT account_id FROM one_time_tokens WHERE token_hash = ?", [.text(hash)]).first.map { try $0.uuid("account_id") }
    }

    func spendOneTimeTokens(accountID: UUID, purpose: OneTimePurpose, now: Date) throws -> Int {
        try conn.execute(
            "UPDATE one_time_tokens SET used_at = ? WHERE account_id = ? AND purpose = ? AND used_at IS NULL",
            [.date(now), .uuid(accountID), .text(purpose.rawValue)]
        )
    }

    func insertEmailChange(id: UUID, accountID: UUID, newEmailCiphertext: String, tokenHash: String, createdAt: Date, expiresAt: Date) throws {
        try conn.execute(
            """
            INSERT INTO email_change_requests (id, account_id, new_email_ciphertext, token_hash, created_at, expires_at, used_at)
            VALUES (?, ?, ?, ?, ?, ?, NULL)
            """,
            [.uuid(id), .uuid(accountID), .text(newEmailCiphertext), .text(tokenHash), .date(createdAt), .date(expiresAt)]
        )
    }

    func useEmailChange(hash: String, accountID: UUID, now: Date) throws -> (id: UUID, newEmailCiphertext: String)? {
        let used = try conn.execute(
            "UPDATE email_change_requests SET used_at = ? WHERE token_hash = ? AND account_id = ? AND used_at IS NULL AND expires_at > ?",
            [.date(now), .text(hash), .uuid(accountID), .date(now)]
        )
        guard used == 1 else { return nil }
        return try conn.query("SELECT id, new_email_ciphertext FROM email_change_requests WHERE token_hash = ?", [.text(hash)])
            .first.map { (try $0.uuid("id"), try $0.string("new_email_ciphertext")) }
    }

    func updateEmail(accountID: UUID, email: String, verifiedAt: Date) throws {
        guard var account = try account(id: accountID) else { return }
        account.email = email
        let pii = try protectedPII(account)
        try conn.execute("UPDATE accounts SET email = ?, name = ?, phone = ?, pii_ciphertext = ?, email_verified_at = ? WHERE id = ?",
                         [pii[0], pii[1], pii[2], pii[3], .date(verifiedAt), .uuid(accountID)])
    }

    func updateRole(accountID: UUID, role: Role) throws {
        try conn.execute("UPDATE accounts SET role = ? WHERE id = ?", [.text(role.rawValue), .uuid(accountID)])
    }

    func enqueueEmail(_ e: OutboxEmail) throws {
        try conn.execute(
            "INSERT INTO outbox_emails (id, template, recipient_ciphertext, payload_ciphertext, created_at, sent_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.uuid(e.id), .text(e.template.rawValue), .text(e.recipientCiphertext), .text(e.payloadCiphertext), .date(e.createdAt),
             .date(e.sentAt), .int(Int64(e.attempts))]
        )
    }

    static let outboxColumns = "id, template, recipient_ciphertext, payload_ciphertext, created_at, sent_at, attempts"

    func pendingEmails(limit: Int) throws -> [OutboxEmail] {
        try conn.query(
            "SELECT \(Self.outboxColumns) FROM outbox_emails WHERE sent_at IS NULL AND attempts < 10 ORDER BY created_at, id LIMIT ?",
            [.int(Int64(limit))]
        ).map(Self.outboxEmail)
    }

    func dueEmails(limit: Int, now: Date) throws -> [OutboxEmail] {
        try conn.query(
            """
            SELECT \(Self.outboxColumns) FROM outbox_emails
            WHERE sent_at IS NULL AND attempts < 10 AND (claimed_until IS NULL OR claimed_until <= ?) ORDER BY created_at, id LIMIT ?
            """,
            [.date(now), .int(Int64(limit))]
        ).map(Self.outboxEmail)
    }

    static func outboxEmail(_ row: SQLRow) throws -> OutboxEmail {
        guard let template = OneTimePurpose(rawValue: try row.string("template")) else { throw StorageError.corruptRow("template") }
        return OutboxEmail(id: try row.uuid("id"), template: template, recipientCiphertext: try row.string("recipient_ciphertext"),
                           payloadCiphertext: try row.string("payload_ciphertext"), createdAt: try row.date("created_at"),
                           sentAt: try row.optionalDate("sent_at"), attempts: Int(try row.int("attempts")))
    }

    func markEmailSent(id: UUID, at: Date) throws {
        try conn.execute("UPDATE outbox_emails SET sent_at = ? WHERE id = ?", [.date(at), .uuid(id)])
    }

    func claimEmail(id: UUID, attempts: Int, now: Date, until: Date) throws -> Bool {
        try conn.execute(
            """
            UPDATE outbox_emails SET attempts = attempts + 1, claimed_until = ?
            WHERE id = ? AND sent_at IS NULL AND attempts = ? AND (claimed_until IS NULL OR claimed_until <= ?)
            """,
            [.date(until), .uuid(id), .int(Int64(attempts)), .date(now)]
        ) == 1
    }

    func deferEmail(id: UUID, until retryAt: Date) throws {
        try conn.execute("UPDATE outbox_emails SET claimed_until = ? WHERE id = ? AND sent_at IS NULL", [.date(retryAt), .uuid(id)])
    }
}
