import Domain
import Foundation
import HTTPTypes
import SolarSecurity
import Storage

/// The emailed second factor of a customer without TOTP who logs in from a device the account
/// has not used (ASVS V6.3.4, V6.6.x): six random digits, valid 10 minutes, once, stored as a
/// hash bound to the account; a new code ends the earlier ones. Sending is limited per account
/// and per address (`ActionLimiter`); a wrong code counts as a failed login (`LoginThrottle`).
struct LoginCodeService: Sendable {
    let services: AppServices
    static let lifetime: TimeInterval = 10 * 60
    static let required = ApiError(.unauthorized, "email-code-required",
                                   "We sent a login code to your email address. Enter it to log in on this device.")

    /// Whether this login needs the emailed code.
    func applies(to account: Account, trustedDevice: Bool, totpEnrolled: Bool) -> Bool {
        services.config.newDeviceEmailCode && account.role == .customer && !trustedDevice && !totpEnrolled
    }

    /// A new code for the account, mailed through the outbox; earlier codes end.
    func send(to account: Account, audit: AuditContext, now: Date) async throws {
        try await ActionLimiter(services: services).check(.loginCode, accountKey: account.id.uuidString, address: audit.clientIP)
        let code = Self.newCode()
        let recovery = RecoveryService(services: services)
        let hash = Self.hash(code, accountID: account.id)
        try await services.store.write { db in
            _ = try db.spendOneTimeTokens(accountID: account.id, purpose: .loginCode, now: now)
            try db.insertOneTimeToken(id: UUID.random(), purpose: .loginCode, accountID: account.id, tokenHash: hash,
                                      createdAt: now, expiresAt: now.addingTimeInterval(Self.lifetime))
            try recovery.queue(.loginCode, to: account.email, token: OpaqueToken(value: code), db: db, now: now)
            try db.appendAudit(audit.event("auth.login_code.sent", at: now, target: ("account", account.id),
                                           actor: Principal(accountID: account.id, role: account.role)))
        }
    }

    /// Spends the code if it is this account's current one.
    func verify(_ code: String, account: Account, now: Date) async throws -> Bool {
        let digits = code.filter(\.isNumber)
        guard digits.count == 6 else { return false }
        let hash = Self.hash(digits, accountID: account.id)
        return try await services.store.write { db in try db.useOneTimeToken(hash: hash, purpose: .loginCode, now: now) } == account.id
    }

    /// Six digits, uniform: bytes above the largest multiple of 1,000,000 are drawn again.
    static func newCode() -> String {
        while true {
            let n = SecureRandom.bytes(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            if n < 4_294_000_000 { return String(format: "%06u", n % 1_000_000) }
        }
    }

    /// Bound to the account, so a code cannot be spent for another account's login.
    static func hash(_ code: String, accountID: UUID) -> String {
        OpaqueToken.storageHash(of: "login-code:\(accountID.uuidString.lowercased()):\(code)")
    }
}
