import Domain
import Foundation
import SolarSecurity

extension SQLAccess {
    static let sessionColumns = """
        s.id AS session_id, s.token_hash, s.account_id, s.kind, s.created_at AS session_created_at, s.expires_at, \
        s.last_seen_at, s.revoked_at, s.absolute_expires_at, s.mfa_verified, s.reauthenticated_at, s.user_agent, s.client_ip
        """

    func insertSession(_ s: SessionRecord) throws {
        try conn.execute(
            """
            INSERT INTO sessions (id, token_hash, account_id, kind, created_at, expires_at, last_seen_at, revoked_at,
                                  absolute_expires_at, mfa_verified, reauthenticated_at, user_agent, client_ip)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """,
            [.uuid(s.id), .text(s.tokenHash), .uuid(s.accountID), .text(s.kind.rawValue), .date(s.createdAt), .date(s.expiresAt),
             .date(s.lastSeenAt), .date(s.revokedAt), .date(s.absoluteExpiresAt), .bool(s.mfaVerified), .date(s.reauthenticatedAt),
             .optionalText(s.userAgent.map { String($0.prefix(200)) }), .optionalText(s.clientIP)]
        )
    }

    func activeSession(tokenHash: String, now: Date) throws -> (SessionRecord, Account)? {
        let rows = try conn.query(
            """
            SELECT \(Self.sessionColumns), a.id, a.email, a.name, a.phone, a.role, a.password_hash, a.created_at, a.email_verified_at, a.locked_at, a.pii_ciphertext
            FROM sessions s JOIN accounts a ON a.id = s.account_id
            WHERE s.token_hash = ? AND s.revoked_at IS NULL AND s.expires_at > ?
            """,
            [.text(tokenHash), .date(now)]
        )
        guard let row = rows.first else { return nil }
        return (try Self.session(row), try account(from: row))
    }

    func session(id: UUID) throws -> SessionRecord? {
        try conn.query("SELECT \(Self.sessionColumns) FROM sessions s WHERE s.id = ?", [.uuid(id)]).first.map(Self.session)
    }

    func activeSessions(accountID: UUID, now: Date) throws -> [SessionRecord] {
        try conn.query(
            """
            SELECT \(Self.sessionColumns) FROM sessions s
            WHERE s.account_id = ? AND s.revoked_at IS NULL AND s.absolute_expires_at > ?
            ORDER BY s.created_at DESC, s.id LIMIT 100
            """,
            [.uuid(accountID), .date(now)]
        ).map(Self.session)
    }

    func revokeSession(id: UUID, at: Date) throws -> Bool {
        try conn.execute("UPDATE refresh_tokens SET used_at = ? WHERE session_id = ? AND used_at IS NULL", [.date(at), .uuid(id)])
        return try conn.execute("UPDATE sessions SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL", [.date(at), .uuid(id)]) == 1
    }

    func revokeSessions(accountID: UUID, keeping: UUID?, at: Date) throws -> Int {
        let keep = SQLValue.text(keeping?.uuidString.lowercased() ?? "")
        try conn.execute(
            """
            UPDATE refresh_tokens SET used_at = ? WHERE used_at IS NULL AND session_id <> ?
              AND session_id IN (SELECT id FROM sessions WHERE account_id = ?)
            """,
            [.date(at), keep, .uuid(accountID)]
        )
        return try conn.execute(
            "UPDATE sessions SET revoked_at = ? WHERE account_id = ? AND revoked_at IS NULL AND id <> ?",
            [.date(at), .uuid(accountID), keep]
        )
    }

    func touchSession(id: UUID, at: Date) throws {
        try conn.execute("UPDATE sessions SET last_seen_at = ? WHERE id = ?", [.date(at), .uuid(id)])
    }

    func markReauthenticated(sessionID: UUID, at: Date) throws {
        try conn.execute("UPDATE sessions SET reauthenticated_at = ?, last_seen_at = ? WHERE id = ?", [.date(at), .date(at), .uuid(sessionID)])
    }

    func rotateAccessToken(sessionID: UUID, tokenHash: String, expiresAt: Date, at: Date) throws {
        try conn.execute(
            "UPDATE sessions SET token_hash = ?, expires_at = ?, last_seen_at = ? WHERE id = ? AND revoked_at IS NULL",
            [.text(tokenHash), .date(expiresAt), .date(at), .uuid(sessionID)]
        )
    }

    static func session(_ row: SQLRow) throws -> SessionRecord {
        guard let kind = SessionKind(rawValue: try row.string("kind")) else { throw StorageError.corruptRow("kind") }
        let expires = try row.date("expires_at")
        return SessionRecord(
            id: try row.uuid("session_id"), tokenHash: try row.string("token_hash"), accountID: try row.uuid("account_id"), kind: kind,
            createdAt: try row.date("session_created_at"), expiresAt: expires, lastSeenAt: try row.date("last_seen_at"),
            revokedAt: try row.optionalDate("revoked_at"), absoluteExpiresAt: try row.optionalDate("absolute_expires_at") ?? expires,
            mfaVerified: try row.bool("mfa_verified"), reauthenticatedAt: try row.optionalDate("reauthenticated_at"),
            userAgent: try row.optionalString("user_agent"), clientIP: try row.optionalString("client_ip")
        )
    }
}
