import Domain
import Foundation
import Security
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Step-up re-authentication, password change, and the caller's sessions.
struct AccountSecurityService: Sendable {
    let services: AppServices
    /// How recent a login or step-up must be for sensitive operations.
    static let recentAuthentication: TimeInterval = 5 * 60
    static let reauthenticationRequired = ApiError(.forbidden, "reauthentication-required", "Confirm your password again to do this.")

    /// Throws 403 unless the session authenticated within the last five minutes.
    func requireRecentAuthentication(_ context: AuthenticatedContext) throws {
        guard services.now().timeIntervalSince(context.session.lastAuthenticatedAt) <= Self.recentAuthentication else {
            throw Self.reauthenticationRequired
        }
    }

    func account(_ context: AuthenticatedContext) async throws -> Account {
        let id = context.principal.accountID
        guard let account = try await services.store.read({ db in try db.account(id: id) }) else { throw ApiError.unauthorized }
        return account
    }

    /// Step-up: the password again, and the TOTP code when MFA is enabled.
    func reauthenticate(password: String, totpCode: String?, context: AuthenticatedContext) async throws {
        let account = try await account(context)
        let now = services.now()
        let audit = AuditContext(context)
        let keys = [LoginThrottle.accountKey(account.email)]
        let records = try await services.store.read { db in try keys.compactMap { try db.throttle(key: $0) } }
        if let wait = LoginThrottle.retryAfter(records, now: now) {
            var error = AuthService.tooManyAttempts
            error.headers[.retryAfter] = String(wait)
            throw error
        }
        var ok = try await services.hasher.verify(password, against: account.passwordHash)
        if ok {
            let factor = try await MFAService(services: services).verifyAtLogin(account: account, totpCode: totpCode, recoveryCode: nil, now: now)
            ok = factor == .notEnrolled || factor == .verified
        }
        guard ok else {
            try await AuthService(services: services).recordFailure(keys: keys, account: account, audit: audit, now: now, detail: "reauth")
            throw ApiError.invalidCredentials
        }
        let sessionID = context.session.id
        try await services.store.write { db in
            try db.markReauthenticated(sessionID: sessionID, at: now)
            try db.appendAudit(audit.event("auth.reauth", at: now, target: ("session", sessionID)))
        }
    }

    /// Changes the password (recent authentication required) and revokes every other session.
    func changePassword(current: String, new: String, context: AuthenticatedContext) async throws {
        try requireRecentAuthentication(context)
        let account = try await account(context)
        guard try await services.hasher.verify(current, against: account.passwordHash) else {
            throw ApiError.validation([FieldError("currentPassword", "is not correct")])
        }
        let mfa = try await services.store.read { db in try db.totp(accountID: account.id)?.confirmedAt != nil }
        try await PasswordRules(services: services).check(new, email: account.email, mfaEnrolled: mfa, field: "newPassword")
        let hash = try await services.hasher.hash(new)
        let now = services.now()
        let audit = AuditContext(context)
        let keep = context.session.id
        try await services.store.write { db in
            try db.updatePassword(accountID: account.id, hash: hash)
            let revoked = try db.revokeSessions(accountID: account.id, keeping: keep, at: now)
            try db.appendAudit(audit.event("auth.password_change", at: now, target: ("account", account.id), detail: "other sessions revoked: \(revoked)"))
        }
    }

    /// Revokes one of the caller's sessions; someone else's answers 404.
    func revoke(sessionID: UUID, context: AuthenticatedContext) async throws {
        let now = services.now()
        let audit = AuditContext(context)
        try await services.store.write { db in
            guard let session = try db.session(id: sessionID) else { throw ApiError.notFound }
            try context.authorize(.manageOwnSecurity, .account(session.accountID), target: ("session", sessionID))
            try db.revokeSession(id: sessionID, at: now)
            try db.appendAudit(audit.event("auth.session.revoke", at: now, target: ("session", sessionID)))
        }
    }

    /// Support or admin logs an account out everywhere.
    func forceLogout(accountID: UUID, context: AuthenticatedContext) async throws {
        let now = services.now()
        let audit = AuditContext(context)
        try await services.store.write { db in
            guard try db.account(id: accountID) != nil else { throw ApiError.notFound }
            let revoked = try db.revokeSessions(accountID: accountID, keeping: nil, at: now)
            try db.appendAudit(audit.event("staff.account.force_logout", at: now, target: ("account", accountID), detail: "sessions revoked: \(revoked)"))
        }
    }
}
