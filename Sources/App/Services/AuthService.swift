public import Domain
import Foundation
import Security
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Signup, login, logout and session lookup, shared by the API and the web interface.
struct AuthService: Sendable {
    let services: AppServices

    /// Validates and creates a customer account. Only customers can sign up.
    func signup(_ req: SignupRequest, audit: AuditContext) async throws -> Account {
        let email = Formats.normalizedEmail(req.email)
        var v = Validator()
        v.check(Formats.isValidEmail(email), "email", "must be a valid email address")
        v.check(PasswordPolicy.problem(with: req.password) == nil, "password", PasswordPolicy.problem(with: req.password) ?? "")
        v.text(req.name.trimmingCharacters(in: .whitespaces), "name", 1...100)
        v.check(Formats.isValidPhone(req.phone), "phone", "must be in E.164 format, e.g. +34600123456")
        if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
        return try await createAccount(email: email, name: req.name, phone: req.phone, role: .customer, password: req.password, action: "auth.signup", audit: audit)
    }

    /// Creates an account of any role (admin API and CLI). The password is hashed, never logged.
    func createAccount(email: String, name: String, phone: String, role: Role, password: String, action: String, audit: AuditContext) async throws -> Account {
        let hash = try await services.hasher.hash(password)
        let now = services.now()
        let account = Account(
            id: UUID(), email: email, name: name.trimmingCharacters(in: .whitespaces), phone: phone,
            role: role, passwordHash: hash, createdAt: now
        )
        do {
            try await services.store.write { db in
                try db.insertAccount(account)
                let actor = audit.actor ?? Principal(accountID: account.id, role: role)
                try db.appendAudit(audit.event(action, at: now, target: ("account", account.id), actor: actor, detail: "role=\(role.rawValue)"))
            }
        } catch StorageError.conflict {
            throw ApiError(.conflict, "email-taken", "An account with this email already exists.")
        }
        return account
    }

    /// Verifies credentials and opens a session. Unknown emails cost the same Argon2 work
    /// and get the same answer as wrong passwords.
    func login(email rawEmail: String, password: String, kind: SessionKind, audit: AuditContext) async throws -> (token: OpaqueToken, session: SessionRecord, account: Account) {
        let email = Formats.normalizedEmail(rawEmail)
        let account = email.count <= 254 ? try await services.store.read { db in try db.account(email: email) } : nil
        let valid = password.count <= PasswordPolicy.lengthRange.upperBound
            ? try await services.hasher.verify(password, against: account?.passwordHash)
            : false
        let now = services.now()
        guard valid, let account else {
            try await services.store.write { db in
                try db.appendAudit(audit.event("auth.login", at: now, target: account.map { ("account", $0.id) }, outcome: .failure,
                                               actor: account.map { Principal(accountID: $0.id, role: $0.role) }))
            }
            throw ApiError.invalidCredentials
        }
        let token = OpaqueToken.generate()
        let ttl = kind == .api ? services.config.apiTokenTTL : services.config.webSessionTTL
        let session = SessionRecord(
            id: UUID(), tokenHash: token.storageHash, accountID: account.id, kind: kind,
            createdAt: now, expiresAt: now.addingTimeInterval(ttl), lastSeenAt: now
        )
        try await services.store.write { db in
            try db.insertSession(session)
            try db.appendAudit(audit.event("auth.login", at: now, target: ("session", session.id),
                                           actor: Principal(accountID: account.id, role: account.role), detail: kind.rawValue))
        }
        return (token, session, account)
    }

    /// Revokes the caller's session on the server.
    func logout(session: SessionRecord, audit: AuditContext) async throws {
        let now = services.now()
        try await services.store.write { db in
            try db.revokeSession(id: session.id, at: now)
            try db.appendAudit(audit.event("auth.logout", at: now, target: ("session", session.id)))
        }
    }

    /// The active session and account for a presented token, if any.
    func authenticate(token: String, kind: SessionKind) async throws -> (SessionRecord, Account)? {
        guard OpaqueToken.isWellFormed(token) else { return nil }
        let hash = OpaqueToken.storageHash(of: token)
        let now = services.now()
        guard let found = try await services.store.read({ db in try db.activeSession(tokenHash: hash, now: now) }),
              found.0.kind == kind else { return nil }
        return found
    }
}

/// Creates an account from the `solar` CLI (bootstrap of the first admin, installers and staff).
/// The audit event records the request id `cli`.
public func createAccountFromCLI(services: AppServices, email: String, name: String, phone: String, role: Role, password: String) async throws -> Account {
    let audit = AuditContext(actor: nil, clientIP: nil, requestID: "cli")
    return try await AuthService(services: services).createAccount(
        email: email, name: name, phone: phone, role: role, password: password, action: "cli.account.create", audit: audit
    )
}
