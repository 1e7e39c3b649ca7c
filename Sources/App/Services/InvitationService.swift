import Domain
import Foundation
import HTTPTypes
import SolarSecurity
import Storage

/// First passwords without anyone else knowing them (ASVS V6.4.1, V6.4.2): an account an
/// administrator (or, outside the bootstrap, the CLI) creates gets no password; its owner
/// receives a single-use code, valid 72 hours, and chooses the password with it. Staff and
/// installers then enrol TOTP at their first login.
struct InvitationService: Sendable {
    let services: AppServices
    static let lifetime: TimeInterval = 72 * 3600

    /// Stores the code (hashed) and queues its email, in the caller's transaction; returns the code.
    @discardableResult
    func issue(to account: Account, db: any StoreAccess, now: Date) throws -> OpaqueToken {
        let token = OpaqueToken.generate()
        _ = try db.spendOneTimeTokens(accountID: account.id, purpose: .invitation, now: now)
        try db.insertOneTimeToken(id: UUID.random(), purpose: .invitation, accountID: account.id, tokenHash: token.storageHash,
                                  createdAt: now, expiresAt: now.addingTimeInterval(Self.lifetime))
        try RecoveryService(services: services).queue(.invitation, to: account.email, token: token, db: db, now: now)
        return token
    }

    /// Sets the first password with an invitation code: the code is spent, the email counts as
    /// confirmed (the code came to it), and any session ends.
    func accept(token: String, password: String, audit: AuditContext) async throws {
        let now = services.now()
        guard OpaqueToken.isWellFormed(token) else { throw RecoveryService.invalidToken }
        let hash = OpaqueToken.storageHash(of: token)
        guard let account = try await services.store.read({ db -> Account? in
            try db.peekOneTimeTokenAccount(hash: hash, purpose: .invitation, now: now).flatMap { try db.account(id: $0) }
        }) else { throw RecoveryService.invalidToken }
        try await PasswordRules(services: services).check(password, email: account.email, field: "password")
        let newHash = try await services.hasher.hash(password)
        let accepted = try await services.store.write { db -> Bool in
            guard try db.useOneTimeToken(hash: hash, purpose: .invitation, now: now) == account.id else { return false }
            try db.updatePassword(accountID: account.id, hash: newHash)
            if account.emailVerifiedAt == nil { try db.markEmailVerified(accountID: account.id, at: now) }
            try db.revokeSessions(accountID: account.id, keeping: nil, at: now)
            try db.appendAudit(audit.event("auth.invitation.accept", at: now, target: ("account", account.id),
                                           actor: Principal(accountID: account.id, role: account.role)))
            return true
        }
        guard accepted else { throw RecoveryService.invalidToken }
    }
}
