public import Domain
import Foundation
import SolarSecurity
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// What a login attempt carries. Shared by the API and the web.
struct LoginInput: Sendable {
    var email: String
    var password: String
    var totpCode: String?
    var recoveryCode: String?
    var kind: SessionKind
    var userAgent: String?
    /// The trusted-device token this device got at an earlier login, if any.
    var deviceToken: String? = nil
    /// The code emailed for a login from a new device (`LoginCodeService`).
    var emailCode: String? = nil
}

/// A new or renewed session and the secrets handed to the client once.
struct LoginResult: Sendable {
    var token: OpaqueToken
    var session: SessionRecord
    var account: Account
    var refreshToken: OpaqueToken?
    var refreshExpiresAt: Date?
    /// A staff or installer account without MFA: the session may only enrol.
    var mfaEnrollmentRequired: Bool
    /// A fresh trusted-device token for this device (set by a login, not by a refresh).
    var deviceToken: String? = nil
}

/// Signup, login (throttling, password, second factor), refresh, logout and session lookup.
struct AuthService: Sendable {
    let services: AppServices

    static let tooManyAttempts = ApiError(.tooManyRequests, "too-many-attempts", "Too many failed attempts. Try again later.")
    static let mfaRequired = ApiError(.unauthorized, "mfa-required", "A second factor is required: send a TOTP code or a recovery code.")
    static let invalidSecondFactor = ApiError(.unauthorized, "invalid-second-factor", "The second-factor code is not valid.")
    static let invalidRefresh = ApiError(.unauthorized, "invalid-refresh-token", "The refresh token is not valid.")

    /// Validates a signup and answers it the same way whether or not the email has an account,
    /// so signup reveals nothing (the caller answers 202 either way). Both paths hash the
    /// password once (Argon2id) and write one transaction:
    /// - a new email: a customer account (only customers can sign up) and a verification email;
    /// - a known email: nothing changes except a notice to the owner of the address that
    ///   someone tried to sign up with it, carrying a password-reset code.
    /// A concurrent signup that inserts the same email first turns this one into the second case,
    /// so an email never gets two accounts.
    func signup(_ req: SignupRequest, audit: AuditContext) async throws {
        try await ActionLimiter(services: services).check(.signup, accountKey: nil, address: audit.clientIP)
        let email = Formats.normalizedEmail(req.email)
        var v = Validator()
        v.check(Formats.isValidEmail(email), "email", "must be a valid email address")
        v.text(req.name.trimmingCharacters(in: .whitespaces), "name", 1...100)
        v.check(Formats.isValidPhone(req.phone), "phone", "must be in E.164 format, e.g. +34600123456")
        if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
        try await PasswordRules(services: services).check(req.password, email: email, field: "password")
        let hash = try await services.hasher.hash(req.password)
        let now = services.now()
        let account = Account(
            id: UUID.random(), email: email, name: req.name.trimmingCharacters(in: .whitespaces), phone: req.phone,
            role: .customer, passwordHash: hash, createdAt: now
        )
        let recovery = RecoveryService(services: services)
        let noticeToOwner: @Sendable (any StoreAccess, Account) throws -> Void = { db, owner in
            try recovery.issue(.resetPassword, to: owner, db: db, now: now, notice: .signupAttempt)
            try db.appendAudit(audit.event("auth.signup", at: now, target: ("account", owner.id), outcome: .failure,
                                           detail: "email already registered; owner notified"))
        }
        do {
            try await services.store.write { db in
                if let owner = try db.account(email: email) { return try noticeToOwner(db, owner) }
                try db.insertAccount(account)
                try db.appendAudit(audit.event("auth.signup", at: now, target: ("account", account.id),
                                               actor: audit.actor ?? Principal(accountID: account.id, role: .customer), detail: "role=customer"))
                try recovery.issue(.verifyEmail, to: account, db: db, now: now)
            }
        } catch StorageError.conflict {
            try await services.store.write { db in
                guard let owner = try db.account(email: email) else { throw StorageError.conflict }
                try noticeToOwner(db, owner)
            }
        }
    }

    /// Creates an account of any role (admin API and CLI). Without a password (`nil`) the owner
    /// is invited: the account gets a hash of a random secret nobody knows, and an invitation
    /// code goes to its address (`InvitationService`), returned here for the CLI to print. A
    /// given password (CLI bootstrap, development) is hashed, never logged. With `locked`, the
    /// account starts locked and `then` runs in the same transaction (the role request a second
    /// administrator must approve before it can log in).
    func createAccount(email: String, name: String, phone: String, role: Role, password: String?, action: String, audit: AuditContext,
                       locked: Bool = false, then: (@Sendable (Account, any StoreAccess, Date) throws -> Void)? = nil)
        async throws -> (account: Account, invitation: OpaqueToken?) {
        let hash = try await services.hasher.hash(password ?? OpaqueToken.generate().value)
        let now = services.now()
        let account = Account(
            id: UUID.random(), email: email, name: name.trimmingCharacters(in: .whitespaces), phone: phone,
            role: role, passwordHash: hash, createdAt: now, lockedAt: locked ? now : nil
        )
        let invitations = InvitationService(services: services)
        do {
            let invitation = try await services.store.write { db -> OpaqueToken? in
                try db.insertAccount(account)
                let actor = audit.actor ?? Principal(accountID: account.id, role: role)
                try db.appendAudit(audit.event(action, at: now, target: ("account", account.id), actor: actor,
                                               detail: "role=\(role.rawValue)" + (password == nil ? " invited" : "")))
                try then?(account, db, now)
                return password == nil ? try invitations.issue(to: account, db: db, now: now) : nil
            }
            return (account, invitation)
        } catch StorageError.conflict {
            throw ApiError(.conflict, "email-taken", "An account with this email already exists.")
        }
    }

    /// Throttle, password (dummy hash for unknown emails), second factor, then a new session.
    func login(_ input: LoginInput, audit: AuditContext) async throws -> LoginResult {
        let email = Formats.normalizedEmail(input.email)
        let now = services.now()
        let accountKey = LoginThrottle.accountKey(email, index: services.blindIndex)
        let addressKeys = audit.clientIP.map { [LoginThrottle.addressKey($0)] } ?? []
        // A device this account logged in from before is not held by the account's lock (so
        // nobody can lock the owner out by guessing); only the address limits apply to it.
        let trusted = input.deviceToken.map {
            DeviceToken.isValid($0, accountKeys: LoginThrottle.accountKeys(email, index: services.blindIndex), index: services.blindIndex, now: now)
        } ?? false
        let keys = (trusted ? [] : [accountKey]) + addressKeys
        let records = try await services.store.read { db in try keys.compactMap { try db.throttle(key: $0) } }
        if let wait = LoginThrottle.retryAfter(records, now: now) {
            var error = Self.tooManyAttempts
            error.headers[.retryAfter] = String(wait)
            throw error
        }
        let account = email.count <= 254 ? try await services.store.read { db in try db.account(email: email) } : nil
        let valid = PasswordPolicy.isPlausible(input.password)
            ? try await services.hasher.verify(input.password, against: account?.passwordHash)
            : false
        guard valid, let account else {
            try await recordFailure(keys: keys, account: account, audit: audit, now: now, detail: "password")
            throw ApiError.invalidCredentials
        }
        // A locked account gets the same answer as a wrong password.
        guard account.lockedAt == nil else {
            try await recordFailure(keys: keys, account: account, audit: audit, now: now, detail: "account locked")
            throw ApiError.invalidCredentials
        }
        let secondFactor = try await MFAService(services: services).verifyAtLogin(account: account, totpCode: input.totpCode, recoveryCode: input.recoveryCode, now: now)
        switch secondFactor {
        case .notEnrolled, .verified: break
        case .missing: throw Self.mfaRequired
        case .rejected:
            try await recordFailure(keys: keys, account: account, audit: audit, now: now, detail: "second factor")
            throw Self.invalidSecondFactor
        }
        // A customer without TOTP on a device the account has not used: the emailed code.
        let codes = LoginCodeService(services: services)
        let emailCode = secondFactor == .notEnrolled && codes.applies(to: account, trustedDevice: trusted, totpEnrolled: false)
        if emailCode {
            guard let code = input.emailCode else {
                try await codes.send(to: account, audit: audit, now: now)
                throw LoginCodeService.required
            }
            guard try await codes.verify(code, account: account, now: now) else {
                try await recordFailure(keys: keys, account: account, audit: audit, now: now, detail: "email code")
                throw Self.invalidSecondFactor
            }
        }
        var opened = try await openSession(account: account, kind: input.kind, secondFactor: secondFactor == .verified,
                                           userAgent: input.userAgent, clientIP: audit.clientIP, now: now)
        opened.deviceToken = DeviceToken.issue(accountKey: accountKey, index: services.blindIndex, now: now)
        let result = opened
        let principal = Principal(accountID: account.id, role: account.role, secondFactor: result.session.mfaVerified)
        try await services.store.write { db in
            for key in Set(keys + [accountKey]) { try db.clearThrottle(key: key) }
            try db.appendAudit(audit.event("auth.login", at: now, target: ("session", result.session.id), actor: principal,
                                           detail: "\(input.kind.rawValue) mfa=\(result.session.mfaVerified) trusted_device=\(trusted) email_code=\(emailCode)"))
        }
        return result
    }

    /// Counts a failure against every key, and audits the failure and any lock it starts.
    func recordFailure(keys: [String], account: Account?, audit: AuditContext, now: Date, detail: String) async throws {
        let throttle = services.config.loginThrottle
        services.metrics.loginFailure(reason: detail.replacingOccurrences(of: " ", with: "_"))
        let actor = account.map { Principal(accountID: $0.id, role: $0.role) }
        try await services.store.write { db in
            var locked = false
            let counts = try db.countThrottleFailures(keys: keys, now: now, windowStart: now.addingTimeInterval(-LoginThrottle.window))
            for key in keys {
                let until = throttle.lockedUntil(failures: counts[key] ?? 1, key: key, now: now)
                try db.setThrottleLock(key: key, until: until)
                locked = locked || until != nil
            }
            try db.appendAudit(audit.event("auth.login", at: now, target: account.map { ("account", $0.id) }, outcome: .failure, actor: actor, detail: detail))
            if locked {
                services.metrics.lockout()
                try db.appendAudit(audit.event("auth.lockout", at: now, target: account.map { ("account", $0.id) }, outcome: .denied, actor: actor))
            }
        }
    }

    /// A new session (a new id at every login: no fixation). API sessions get a 15-minute
    /// access token and a refresh token; both end at the absolute timeout.
    func openSession(account: Account, kind: SessionKind, secondFactor: Bool, userAgent: String?, clientIP: String?, now: Date) async throws -> LoginResult {
        let timeouts = services.config.sessionTimeouts
        let absolute = now.addingTimeInterval(timeouts.absolute(for: account.role))
        let token = OpaqueToken.generate()
        let expires = kind == .api ? min(now.addingTimeInterval(services.config.apiTokenTTL), absolute) : absolute
        let session = SessionRecord(
            id: UUID.random(), tokenHash: token.storageHash, accountID: account.id, kind: kind, createdAt: now, expiresAt: expires,
            lastSeenAt: now, absoluteExpiresAt: absolute, mfaVerified: secondFactor, userAgent: userAgent, clientIP: clientIP
        )
        var refresh: (OpaqueToken, RefreshTokenRecord)?
        if kind == .api {
            let value = OpaqueToken.generate()
            refresh = (value, RefreshTokenRecord(id: UUID.random(), sessionID: session.id, tokenHash: value.storageHash, createdAt: now,
                                                  expiresAt: min(now.addingTimeInterval(timeouts.idle(for: account.role)), absolute)))
        }
        let refreshRecord = refresh?.1
        let limit = services.config.maxSessionsPerAccount
        try await services.store.write { db in
            try db.insertSession(session)
            if let refreshRecord { try db.insertRefreshToken(refreshRecord) }
            // At most `limit` sessions per account: the oldest others end (newest first here).
            let others = try db.activeSessions(accountID: account.id, now: now).filter { $0.id != session.id }
            for old in others.dropFirst(limit - 1) where try db.revokeSession(id: old.id, at: now) {
                try db.appendAudit(AuditEvent(occurredAt: now, actorID: account.id, actorRole: account.role, action: "auth.session.evicted",
                                              targetType: "session", targetID: old.id, outcome: .success, clientIP: clientIP,
                                              detail: "over the limit of \(limit) sessions"))
            }
        }
        return LoginResult(token: token, session: session, account: account, refreshToken: refresh?.0, refreshExpiresAt: refresh?.1.expiresAt,
                           mfaEnrollmentRequired: account.role.requiresMFA && !secondFactor)
    }

    /// Revokes the caller's session (and its refresh tokens) on the server.
    func logout(session: SessionRecord, audit: AuditContext) async throws {
        let now = services.now()
        try await services.store.write { db in
            try db.revokeSession(id: session.id, at: now)
            try db.appendAudit(audit.event("auth.logout", at: now, target: ("session", session.id)))
        }
    }

    /// The active session and account for a presented token, enforcing the idle and absolute
    /// timeouts on the server.
    func authenticate(token: String, kind: SessionKind) async throws -> (SessionRecord, Account)? {
        guard OpaqueToken.isWellFormed(token) else { return nil }
        let hash = OpaqueToken.storageHash(of: token)
        let now = services.now()
        guard let (session, account) = try await services.store.read({ db in try db.activeSession(tokenHash: hash, now: now) }),
              session.kind == kind, now < session.absoluteExpiresAt else { return nil }
        let idle = services.config.sessionTimeouts.idle(for: account.role)
        if kind == .web, now.timeIntervalSince(session.lastSeenAt) > idle {
            try await services.store.write { db in try db.revokeSession(id: session.id, at: now) }
            return nil
        }
        if now.timeIntervalSince(session.lastSeenAt) > 60 {
            try await services.store.write { db in try db.touchSession(id: session.id, at: now) }
        }
        return (session, account)
    }
}

/// Creates an account from the `solar` CLI (bootstrap of the first admins, installers and, outside
/// production, any role). Without a password the owner is invited and the code is returned to
/// print; in production only the bootstrap administrators get a password from the CLI. The
/// audit event records the request id `cli`.
public func createAccountFromCLI(services: AppServices, email: String, name: String, phone: String, role: Role, password: String?,
                                 production: Bool = false) async throws -> (account: Account, invitation: String?) {
    if production, password != nil, role != .admin {
        throw CLIBootstrap(description: "in production only the first administrators get a password from the CLI; others are invited (leave out --password-file)")
    }
    let audit = AuditContext(actor: nil, clientIP: nil, requestID: "cli")
    let created = try await AuthService(services: services).createAccount(
        email: email, name: name, phone: phone, role: role, password: password, action: "cli.account.create", audit: audit,
        then: { account, db, _ in
            // Counted in the same transaction as the insert, so two CLI runs cannot both pass.
            let admins = try db.staffAccounts().filter { $0.role == .admin && $0.id != account.id }.count
            if let refusal = CLIBootstrap.refusal(role: role, production: production, administrators: admins) { throw refusal }
        }
    )
    return (created.account, created.invitation?.value)
}

/// The two-person rule for staff roles (RoleGrant) cannot start without two administrators, so
/// in production the CLI creates administrators only while fewer than two exist; after that,
/// every staff account and role comes from the admin console with a second admin's approval.
/// Installers (not staff) may still be created by the CLI.
public struct CLIBootstrap: Error, CustomStringConvertible, Equatable {
    public let description: String

    public static func refusal(role: Role, production: Bool, administrators: Int) -> CLIBootstrap? {
        guard production, role.isStaff else { return nil }
        if role == .admin, administrators < 2 { return nil }
        return CLIBootstrap(description: role == .admin
            ? "two administrators exist already: further administrators are requested in the admin console and approved by a second administrator"
            : "in production staff accounts are created in the admin console and approved by a second administrator; the CLI only bootstraps the first two administrators")
    }
}
