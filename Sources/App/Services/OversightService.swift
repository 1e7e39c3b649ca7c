import Domain
import Foundation
import HTTPTypes
import Storage
import Synchronization

/// Break-glass access (two-person rule, expiring grants) and staff account administration,
/// shared by the staff API and the web console. Callers check the role first.
struct OversightService: Sendable {
    let services: AppServices

    /// An engineer asks for time-limited access to customer data; audited.
    func requestBreakGlass(reason: String, minutes: Int, context: AuthenticatedContext) async throws -> BreakGlassGrant {
        try await ActionLimiter(services: services).check(.breakGlass, accountKey: context.principal.accountID.uuidString, address: context.clientIP)
        var v = Validator()
        v.text(reason.trimmingCharacters(in: .whitespaces), "reason", 10...500)
        v.check((1...60).contains(minutes), "durationMinutes", "must be 1 to 60")
        if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
        let now = services.now()
        let grant = BreakGlassGrant(id: UUID.random(), engineerID: context.principal.accountID, reason: reason,
                                    duration: TimeInterval(minutes * 60), requestedAt: now)
        let audit = AuditContext(context)
        try await services.store.write { db in
            try db.insertBreakGlass(grant)
            try db.appendAudit(audit.event("security.break_glass.request", at: now, target: ("break_glass", grant.id),
                                           detail: "\(minutes) min: \(reason)"))
        }
        return grant
    }

    /// A second person approves; the grant then runs until its expiry. A refusal (own request,
    /// too old, already decided) is audited, then answered with 403.
    func approveBreakGlass(_ id: UUID, context: AuthenticatedContext) async throws -> BreakGlassGrant {
        let now = services.now()
        let audit = AuditContext(context)
        let approver = context.principal
        let outcome = try await services.store.write { db -> Result<BreakGlassGrant, ApiError> in
            guard var grant = try db.breakGlass(id: id) else { throw ApiError.notFound }
            if let problem = grant.approvalProblem(by: approver, at: now) {
                try db.appendAudit(audit.event("security.break_glass.approve", at: now, target: ("break_glass", id), outcome: .denied, detail: problem))
                return .failure(ApiError(.forbidden, "break-glass-approval-refused", "This break-glass request cannot be approved: \(problem)."))
            }
            let expires = now.addingTimeInterval(min(grant.duration, BreakGlassGrant.maximumDuration))
            guard try db.approveBreakGlass(id: id, approver: approver.accountID, at: now, expiresAt: expires) else { throw ApiError.conflict }
            (grant.approvedBy, grant.approvedAt, grant.expiresAt) = (approver.accountID, now, expires)
            try db.appendAudit(audit.event("security.break_glass.approve", at: now, target: ("break_glass", id), detail: "until \(expires.formatted(.iso8601))"))
            return .success(grant)
        }
        let grant = try outcome.get()
        services.metrics.breakGlassGranted()
        return grant
    }

    /// Requests still waiting within the approval window, and active grants.
    func openGrants() async throws -> [BreakGlassGrant] {
        let now = services.now()
        return try await services.store.read { db in
            try db.openBreakGlassGrants(now: now, since: now.addingTimeInterval(-BreakGlassGrant.approvalWindow))
        }
    }

    /// An admin creates a staff or installer account; audited. Nobody but its owner sets the
    /// password: an invitation code goes to the address (`InvitationService`). A staff account
    /// starts locked, with a role request a second administrator must approve (`grant`).
    func createAccount(_ body: CreateAccountRequest, context: AuthenticatedContext) async throws -> (account: Account, grant: RoleGrant?) {
        let email = Formats.normalizedEmail(body.email)
        var v = Validator()
        v.check(Formats.isValidEmail(email), "email", "must be a valid email address")
        v.text(body.name, "name", 1...100)
        v.check(Formats.isValidPhone(body.phone), "phone", "must be in E.164 format")
        if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
        let audit = AuditContext(context)
        let needsApproval = RoleGrant.needsApproval(to: body.role, creationPending: false)
        let grants = RoleGrantService(services: services)
        let requested = Mutex<RoleGrant?>(nil)
        let role = body.role
        let askSecondAdmin: @Sendable (Account, any StoreAccess, Date) throws -> Void = { account, db, now in
            let grant = try grants.request(role, for: account, creating: true, db: db, audit: audit, now: now)
            requested.withLock { $0 = grant }
        }
        let account = try await AuthService(services: services).createAccount(
            email: email, name: body.name, phone: body.phone, role: role, password: nil,
            action: "admin.account.create", audit: audit, locked: needsApproval, then: needsApproval ? askSecondAdmin : nil
        ).account
        return (account, requested.withLock { $0 })
    }
}
