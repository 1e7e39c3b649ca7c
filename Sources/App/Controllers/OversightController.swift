import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Break-glass access for engineers (two-person rule) and the staff access review.
struct OversightController {
    let services: AppServices
    /// Staff accounts without a login for this long are reported as dormant.
    static let dormantAfter: TimeInterval = 30 * 86_400

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        let oversight = OversightService(services: services)
        group.secured(.post, "staff/break-glass", .requestBreakGlass) { request, context in
            let body = try await request.decodeBody(BreakGlassRequest.self, context: context)
            let grant = try await oversight.requestBreakGlass(reason: body.reason, minutes: body.durationMinutes, context: context)
            return Created(value: BreakGlassDTO(grant, now: services.now()))
        }
        group.secured(.post, "staff/break-glass/:id/approve", .approveBreakGlass) { _, context in
            BreakGlassDTO(try await oversight.approveBreakGlass(try context.uuid("id"), context: context), now: services.now())
        }
        group.secured(.get, "staff/break-glass", .approveBreakGlass) { _, _ in
            let now = services.now()
            return BreakGlassListDTO(items: try await oversight.openGrants().map { BreakGlassDTO($0, now: now) })
        }
        group.secured(.get, "admin/staff-review", .reviewStaff) { _, _ in
            try await staffReview(services: services)
        }
    }
}

/// Every staff account with role, MFA, last login and dormancy, plus open break-glass grants.
func staffReview(services: AppServices) async throws -> StaffReviewDTO {
    let now = services.now()
    return try await services.store.read { db in
        let staff = try db.staffAccounts().map { account -> StaffReviewDTO.Entry in
            let last = try db.lastLogin(accountID: account.id)
            return .init(id: account.id, email: account.email, role: account.role, mfaEnabled: try db.totp(accountID: account.id)?.confirmedAt != nil,
                         lastLoginAt: last, dormant: now.timeIntervalSince(last ?? account.createdAt) > OversightController.dormantAfter,
                         locked: account.lockedAt != nil)
        }
        let grants = try db.openBreakGlassGrants(now: now, since: now.addingTimeInterval(-BreakGlassGrant.approvalWindow))
        return StaffReviewDTO(staff: staff, openBreakGlass: grants.map { BreakGlassDTO($0, now: now) })
    }
}

/// Every request an engineer makes while holding break-glass access is audited as a security event.
struct BreakGlassAuditMiddleware: RouterMiddleware {
    typealias Context = AuthenticatedContext
    let services: AppServices

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        try await StaffService(services: services).auditingBreakGlass(context, request) { try await next(request, context) }
    }
}

/// The access review as text, for `solar staff review`.
public func staffReviewReport(services: AppServices) async throws -> String {
    let review = try await staffReview(services: services)
    func pad(_ text: String, _ width: Int) -> String { text.padding(toLength: width, withPad: " ", startingAt: 0) }
    var lines = [pad("ROLE", 9) + " " + pad("MFA", 4) + " " + pad("LAST LOGIN", 21) + " " + pad("DORMANT", 8) + " " + pad("LOCKED", 7) + " EMAIL"]
    for s in review.staff {
        lines.append(pad(s.role.rawValue, 9) + " " + pad(s.mfaEnabled ? "yes" : "NO", 4) + " " + pad(s.lastLoginAt.map { $0.formatted(.iso8601) } ?? "never", 21)
            + " " + pad(s.dormant ? "YES" : "no", 8) + " " + pad(s.locked ? "yes" : "no", 7) + " " + s.email)
    }
    lines.append("")
    lines.append("open break-glass grants: \(review.openBreakGlass.count)")
    for g in review.openBreakGlass {
        let state = g.active ? "ACTIVE until \(g.expiresAt.map { $0.formatted(.iso8601) } ?? "?")" : "pending approval"
        lines.append("  \(g.id.uuidString.lowercased()) engineer \(g.engineerId.uuidString.lowercased()) \(state): \(g.reason)")
    }
    return lines.joined(separator: "\n")
}
