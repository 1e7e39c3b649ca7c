import Domain
import Foundation
import SolarSecurity
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

    /// Step-up: the password again, and the TOTP code when MFA is enabled. A success replaces
    /// the session token (ASVS V7.2.4: a new token at every authentication, the presented one
    /// ends at once): the API caller gets the new token in the answer, the browser a new cookie
    /// (`SessionRotation`). The session keeps its id, timeouts and refresh tokens.
    @discardableResult
    func reauthenticate(password: String, totpCode: String?, context: AuthenticatedContext) async throws -> Reauthenticated {
        let account = try await account(context)
        let now = services.now()
        let audit = AuditContext(context)
        let keys = [LoginThrottle.accountKey(account.email, index: services.blindIndex)]
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
        let session = context.session
        let token = OpaqueToken.generate()
        let expires = session.kind == .api ? min(now.addingTimeInterval(services.config.apiTokenTTL), session.absoluteExpiresAt) : session.expiresAt
        try await services.store.write { db in
            try db.markReauthenticated(sessionID: session.id, at: now)
            try db.rotateAccessToken(sessionID: session.id, tokenHash: token.storageHash, expiresAt: expires, at: now)
            try db.appendAudit(audit.event("auth.reauth", at: now, target: ("session", session.id), detail: "session token replaced"))
        }
        context.rotation.record(token.value, absoluteExpiry: session.absoluteExpiresAt)
        return Reauthenticated(token: token, expiresAt: expires)
    }

    /// The session token a re-authentication issued, and when it expires.
    struct Reauthenticated: Sendable {
        var token: OpaqueToken
        var expiresAt: Date
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
            // A reset code mailed before the change must not undo it.
            try db.spendOneTimeTokens(accountID: account.id, purpose: .resetPassword, now: now)
            let revoked = try db.revokeSessions(accountID: account.id, keeping: keep, at: now)
            try db.appendAudit(audit.event("auth.password_change", at: now, target: ("account", account.id), detail: "other sessions revoked: \(revoked)"))
        }
    }

    /// Step-up inside one request (the web forms that ask for the password again): verifies
    /// the password and code, then returns the caller with the session as now stored, so the
    /// recent-authentication check that follows sees the new time.
    func stepUp(password: String, totpCode: String?, context: AuthenticatedContext) async throws -> AuthenticatedContext {
        try await reauthenticate(password: password, totpCode: totpCode, context: context)
        let sessionID = context.session.id
        guard let fresh = try await services.store.read({ db in try db.session(id: sessionID) }) else { throw ApiError.unauthorized }
        var renewed = context
        renewed.session = fresh
        return renewed
    }

    /// Starts an email change (recent authentication required): a code goes to the new address
    /// and nothing changes until it is confirmed. The answer is the same when the address is taken.
    func requestEmailChange(to rawEmail: String, context: AuthenticatedContext) async throws {
        try requireRecentAuthentication(context)
        let email = Formats.normalizedEmail(rawEmail)
        guard Formats.isValidEmail(email) else { throw ApiError.validation([FieldError("email", "must be a valid email address")]) }
        try await ActionLimiter(services: services).check(.emailChange, accountKey: context.principal.accountID.uuidString, address: context.clientIP)
        let account = try await account(context)
        let now = services.now()
        let audit = AuditContext(context)
        let recovery = RecoveryService(services: services)
        try await services.store.write { [services] db in
            try db.appendAudit(audit.event("account.email_change.request", at: now, target: ("account", account.id)))
            guard try db.account(email: email) == nil else { return }
            let token = OpaqueToken.generate(), id = UUID.random()
            try db.insertEmailChange(
                id: id, accountID: account.id, newEmailCiphertext: try services.cipher.encrypt(email, context: "email_change:\(id.uuidString.lowercased())"),
                tokenHash: token.storageHash, createdAt: now, expiresAt: now.addingTimeInterval(RecoveryService.tokenLifetime)
            )
            try recovery.queue(.verifyEmail, to: email, token: token, db: db, now: now)
        }
    }

    /// Applies an email change with the code sent to the new address; other sessions end.
    func confirmEmailChange(token: String, context: AuthenticatedContext) async throws {
        guard OpaqueToken.isWellFormed(token) else { throw RecoveryService.invalidToken }
        let hash = OpaqueToken.storageHash(of: token)
        let me = context.principal.accountID, keep = context.session.id, now = services.now()
        let audit = AuditContext(context)
        do {
            let changed = try await services.store.write { [services] db -> Bool in
                guard let request = try db.useEmailChange(hash: hash, accountID: me, now: now) else { return false }
                let email = try services.cipher.decrypt(request.newEmailCiphertext, context: "email_change:\(request.id.uuidString.lowercased())")
                try db.updateEmail(accountID: me, email: email, verifiedAt: now)
                try db.revokeSessions(accountID: me, keeping: keep, at: now)
                try db.appendAudit(audit.event("account.email_change", at: now, target: ("account", me)))
                return true
            }
            guard changed else { throw RecoveryService.invalidToken }
        } catch StorageError.conflict {
            throw ApiError(.conflict, "email-taken", "An account with this email already exists.")
        }
    }

    /// An admin changes an account's role: recent authentication required, never their own,
    /// audited. Installer and customer apply at once and every session of the account ends so the
    /// new rights start with a new login; a staff role becomes a request a second admin approves.
    func changeRole(of accountID: UUID, to role: Role, context: AuthenticatedContext) async throws -> RoleChangeOutcome {
        try requireRecentAuthentication(context)
        guard accountID != context.principal.accountID else {
            throw ApiError(.forbidden, "own-role", "Administrators cannot change their own role.")
        }
        let now = services.now()
        let audit = AuditContext(context)
        let grants = RoleGrantService(services: services)
        return try await services.store.write { db in
            guard let target = try db.account(id: accountID) else { throw ApiError.notFound }
            let creationPending = try db.creationPending(accountID: accountID)
            // A staff role (or anything for an account still waiting to be created) needs a second administrator.
            if RoleGrant.needsApproval(to: role, creationPending: creationPending) {
                guard target.role != role || creationPending else { return .changed }
                return .requested(try grants.request(role, for: target, creating: creationPending, db: db, audit: audit, now: now))
            }
            guard target.role != role else { return .changed }
            try db.updateRole(accountID: accountID, role: role)
            try db.revokeSessions(accountID: accountID, keeping: nil, at: now)
            try db.appendAudit(audit.event("admin.role_change", at: now, target: ("account", accountID), detail: "\(target.role.rawValue)->\(role.rawValue)"))
            return .changed
        }
    }

    /// Revokes one of the caller's sessions; someone else's answers 404.
    /// Needs a recent authentication (ASVS V7.5.2).
    func revoke(sessionID: UUID, context: AuthenticatedContext) async throws {
        try requireRecentAuthentication(context)
        let now = services.now()
        let audit = AuditContext(context)
        try await services.store.write { db in
            guard let session = try db.session(id: sessionID) else { throw ApiError.notFound }
            try context.authorize(.manageOwnSecurity, .account(session.accountID), target: ("session", sessionID))
            try db.revokeSession(id: sessionID, at: now)
            try db.appendAudit(audit.event("auth.session.revoke", at: now, target: ("session", sessionID)))
        }
    }

    /// Signs the caller out everywhere except the session making the request (recent
    /// authentication required).
    func revokeOthers(context: AuthenticatedContext) async throws {
        try requireRecentAuthentication(context)
        let me = context.principal.accountID, keep = context.session.id, now = services.now()
        let audit = AuditContext(context)
        try await services.store.write { db in
            let revoked = try db.revokeSessions(accountID: me, keeping: keep, at: now)
            try db.appendAudit(audit.event("auth.session.revoke_others", at: now, target: ("account", me), detail: "revoked: \(revoked)"))
        }
    }

    /// The caller's active sessions, the current one marked.
    func sessions(context: AuthenticatedContext) async throws -> [SessionInfoDTO] {
        let me = context.principal.accountID
        let now = services.now()
        let sessions = try await services.store.read { db in try db.activeSessions(accountID: me, now: now) }
        return sessions.map { s in
            SessionInfoDTO(id: s.id, kind: s.kind.rawValue, createdAt: s.createdAt, lastSeenAt: s.lastSeenAt, expiresAt: s.absoluteExpiresAt,
                           current: s.id == context.session.id, userAgent: s.userAgent, clientIp: s.clientIP)
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
