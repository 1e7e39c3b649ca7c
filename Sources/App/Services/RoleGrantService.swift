import Domain
import Foundation
import HTTPTypes
import Storage

/// What asking for a role did: applied at once (installer, customer), or waiting for a second administrator.
enum RoleChangeOutcome: Sendable {
    case changed
    case requested(RoleGrant)
}

/// Staff roles under a two-person rule (A01): one administrator asks, a second approves within
/// 24 hours. Creating a staff account asks the same way and leaves the account locked until then.
struct RoleGrantService: Sendable {
    let services: AppServices

    static let pending = ApiError(.conflict, "grant-pending", "A role request for this account is already waiting for approval.")

    /// Within a write transaction: records a request for `role` on `target`, audited. A second
    /// open request for the same account is refused (409), so one approval cannot be confused with another.
    func request(_ role: Role, for target: Account, creating: Bool, db: any StoreAccess, audit: AuditContext, now: Date) throws -> RoleGrant {
        guard let requester = audit.actor?.accountID else { throw ApiError.unauthorized }
        if try db.openRoleGrant(accountID: target.id, since: now.addingTimeInterval(-RoleGrant.approvalWindow)) != nil { throw Self.pending }
        let grant = RoleGrant(id: UUID.random(), accountID: target.id, fromRole: target.role, toRole: role, createsAccount: creating,
                              requestedBy: requester, requestedAt: now)
        try db.insertRoleGrant(grant)
        try db.appendAudit(audit.event("admin.role_grant.request", at: now, target: ("account", target.id),
                                       detail: creating ? "create \(role.rawValue)" : "\(target.role.rawValue)->\(role.rawValue)"))
        return grant
    }

    /// A second administrator approves: the role applies, a created account is unlocked, and
    /// the account's sessions end. Refusals are audited; the two-person rule answers 403, a
    /// lapsed, decided or outdated request 409. Needs a recent authentication (step-up).
    func approve(_ id: UUID, context: AuthenticatedContext) async throws -> RoleGrant {
        try AccountSecurityService(services: services).requireRecentAuthentication(context)
        let now = services.now()
        let audit = AuditContext(context)
        let approver = context.principal
        let outcome = try await services.store.write { db -> Result<RoleGrant, ApiError> in
            guard var grant = try db.roleGrant(id: id), let account = try db.account(id: grant.accountID) else { throw ApiError.notFound }
            if let refusal = grant.refusal(by: approver, currentRole: account.role, at: now) {
                try db.appendAudit(audit.event("admin.role_grant.approve", at: now, target: ("account", account.id), outcome: .denied,
                                               detail: refusal.rawValue))
                return .failure(refusal.isConflict
                    ? ApiError(.conflict, "role-grant-conflict", "This role request can no longer be approved: \(refusal.rawValue).")
                    : ApiError(.forbidden, "role-grant-refused", "This role request needs another administrator: \(refusal.rawValue)."))
            }
            guard try db.approveRoleGrant(id: id, approver: approver.accountID, at: now,
                                          requestedSince: now.addingTimeInterval(-RoleGrant.approvalWindow)) else { throw ApiError.conflict }
            (grant.approvedBy, grant.approvedAt) = (approver.accountID, now)
            if account.role != grant.toRole { try db.updateRole(accountID: account.id, role: grant.toRole) }
            if grant.createsAccount { try db.setLocked(accountID: account.id, at: nil) }
            try db.revokeSessions(accountID: account.id, keeping: nil, at: now)
            try db.appendAudit(audit.event("admin.role_grant.approve", at: now, target: ("account", account.id),
                                           detail: grant.createsAccount ? "create \(grant.toRole.rawValue)" : "\(grant.fromRole.rawValue)->\(grant.toRole.rawValue)"))
            return .success(grant)
        }
        return try outcome.get()
    }

    /// Requests waiting for approval within their window, with the emails of the account and the requester.
    func open() async throws -> [(grant: RoleGrant, account: String, requester: String)] {
        let since = services.now().addingTimeInterval(-RoleGrant.approvalWindow)
        return try await services.store.read { db in
            try db.openRoleGrants(since: since).map { g in
                (g, try db.account(id: g.accountID)?.email ?? "-", try db.account(id: g.requestedBy)?.email ?? "-")
            }
        }
    }
}
