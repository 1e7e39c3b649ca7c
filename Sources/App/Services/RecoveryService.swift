import Domain
import Foundation
import SolarSecurity
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Why an email that carries a one-time code was sent, when the template alone does not say it.
enum MailNotice: String, Sendable {
    /// Someone tried to sign up with an address that already has an account: the owner gets a
    /// password-reset code with the notice.
    case signupAttempt = "signup-attempt"

    /// The outbox payload: `<notice>:<token>`, or the token alone. Tokens are base64url, so they
    /// never contain `:`.
    static func payload(_ token: String, _ notice: MailNotice?) -> String {
        notice.map { "\($0.rawValue):\(token)" } ?? token
    }

    /// The notice and the token of a payload.
    static func parse(_ payload: String) -> (notice: MailNotice?, token: String) {
        guard let colon = payload.firstIndex(of: ":"), let notice = MailNotice(rawValue: String(payload[..<colon])) else { return (nil, payload) }
        return (notice, String(payload[payload.index(after: colon)...]))
    }
}

/// Email verification and password reset with single-use, hashed, 30-minute tokens, delivered
/// through the outbox. The reset request answers the same whether or not the email exists.
struct RecoveryService: Sendable {
    let services: AppServices
    static let tokenLifetime: TimeInterval = 30 * 60
    static let invalidToken = ApiError(.badRequest, "invalid-token", "The code is not valid or has expired.")

    /// Issues a token and queues its email in one transaction.
    func issue(_ purpose: OneTimePurpose, to account: Account, db: any StoreAccess, now: Date, notice: MailNotice? = nil) throws {
        let token = OpaqueToken.generate()
        try db.insertOneTimeToken(id: UUID.random(), purpose: purpose, accountID: account.id, tokenHash: token.storageHash,
                                  createdAt: now, expiresAt: now.addingTimeInterval(Self.tokenLifetime))
        try queue(purpose, to: account.email, token: token, db: db, now: now, notice: notice)
    }

    /// Puts an email carrying `token` in the outbox; address and token are encrypted. A notice
    /// travels in the encrypted payload, before the token (`MailNotice.payload`), so the
    /// schema's list of templates stays as it is.
    func queue(_ template: OneTimePurpose, to address: String, token: OpaqueToken, db: any StoreAccess, now: Date,
               notice: MailNotice? = nil) throws {
        let id = UUID.random()
        let context = "outbox:\(id.uuidString.lowercased())"
        try db.enqueueEmail(OutboxEmail(
            id: id, template: template, recipientCiphertext: try services.cipher.encrypt(address, context: context + ":to"),
            payloadCiphertext: try services.cipher.encrypt(MailNotice.payload(token.value, notice), context: context + ":token"), createdAt: now
        ))
    }

    func verifyEmail(token: String, audit: AuditContext) async throws {
        let now = services.now()
        guard OpaqueToken.isWellFormed(token) else { throw Self.invalidToken }
        let hash = OpaqueToken.storageHash(of: token)
        let verified = try await services.store.write { db -> Bool in
            guard let accountID = try db.useOneTimeToken(hash: hash, purpose: .verifyEmail, now: now) else { return false }
            try db.markEmailVerified(accountID: accountID, at: now)
            try db.appendAudit(audit.event("auth.email_verified", at: now, target: ("account", accountID), actor: nil))
            return true
        }
        guard verified else { throw Self.invalidToken }
    }

    /// Queues a reset email when the account exists. The caller answers 202 either way.
    func requestReset(email rawEmail: String, audit: AuditContext) async throws {
        let email = Formats.normalizedEmail(rawEmail)
        let now = services.now()
        // A malformed address is refused whether or not accounts exist, so this reveals nothing.
        guard Formats.isValidEmail(email) else { throw ApiError.validation([FieldError("email", "must be a valid email address")]) }
        try await ActionLimiter(services: services).check(.passwordReset, accountKey: services.blindIndex.throttle(email), address: audit.clientIP)
        try await services.store.write { [self] db in
            guard let account = try db.account(email: email) else { return }
            try issue(.resetPassword, to: account, db: db, now: now)
            try db.appendAudit(audit.event("auth.password_reset.request", at: now, target: ("account", account.id), actor: nil))
        }
    }

    /// Sets a new password with a reset token: the token is spent, every session is revoked.
    /// MFA stays as it was, so the next login still needs the second factor.
    func confirmReset(token: String, newPassword: String, audit: AuditContext) async throws {
        let now = services.now()
        guard OpaqueToken.isWellFormed(token) else { throw Self.invalidToken }
        let hash = OpaqueToken.storageHash(of: token)
        // Look the token up first (without spending it) so the policy can use the account's email.
        guard let account = try await services.store.read({ db -> Account? in
            let rows = try db.peekOneTimeTokenAccount(hash: hash, purpose: .resetPassword, now: now)
            return try rows.flatMap { try db.account(id: $0) }
        }) else { throw Self.invalidToken }
        let mfa = try await services.store.read { db in try db.totp(accountID: account.id)?.confirmedAt != nil }
        try await PasswordRules(services: services).check(newPassword, email: account.email, mfaEnrolled: mfa, field: "newPassword")
        let newHash = try await services.hasher.hash(newPassword)
        let changed = try await services.store.write { db -> Bool in
            guard try db.useOneTimeToken(hash: hash, purpose: .resetPassword, now: now) == account.id else { return false }
            // Codes from earlier reset emails die with this one.
            try db.spendOneTimeTokens(accountID: account.id, purpose: .resetPassword, now: now)
            try db.updatePassword(accountID: account.id, hash: newHash)
            try db.revokeSessions(accountID: account.id, keeping: nil, at: now)
            try db.appendAudit(audit.event("auth.password_reset", at: now, target: ("account", account.id), actor: nil))
            return true
        }
        guard changed else { throw Self.invalidToken }
    }
}
