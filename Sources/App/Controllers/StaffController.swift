import Domain
import Foundation
import Hummingbird
import SolarSecurity
import HTTPTypes
import Logging
import NIOCore
import Storage

/// Staff routes under `/api/v1/staff` and `/api/v1/admin`. Every read of customer data
/// and every change is audited.
struct StaffController {
    let services: AppServices
    var workflow: OrderWorkflow { OrderWorkflow(services: services) }

    var staff: StaffService { StaffService(services: services) }


    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        group.secured(.get, "staff/orders/:id", .readAnyOrder) { _, context in
            let id = try context.uuid("id")
            guard let order = try await services.store.read({ db in try db.order(id: id) }) else { throw ApiError.notFound }
            try await staff.record(context, "staff.order.view", target: ("order", id))
            return StaffOrderDTO(order)
        }
        group.secured(.patch, "staff/orders/:id", .updateAnyOrder) { request, context in
            let body = try await request.decodeBody(StaffOrderUpdateRequest.self, context: context)
            return StaffOrderDTO(try await staff.updateOrder(try context.uuid("id"), body, context: context))
        }
        group.secured(.put, "admin/accounts/:id/role", .changeRole) { request, context in
            let body = try await request.decodeBody(RoleChangeRequest.self, context: context)
            switch try await AccountSecurityService(services: services).changeRole(of: try context.uuid("id"), to: body.role, context: context) {
            case .changed: return Response(status: .noContent)
            case .requested(let grant): return try Created(value: RoleGrantDTO(grant), status: .accepted).response(from: request, context: context)
            }
        }
        group.secured(.get, "admin/role-grants", .changeRole) { _, _ in
            RoleGrantListDTO(items: try await RoleGrantService(services: services).open().map { RoleGrantDTO($0.grant) })
        }
        group.secured(.post, "admin/role-grants/:id/approve", .approveRoleGrant) { _, context in
            RoleGrantDTO(try await RoleGrantService(services: services).approve(try context.uuid("id"), context: context))
        }
        group.secured(.post, "staff/accounts/:id/logout", .forceLogout) { _, context in
            try await AccountSecurityService(services: services).forceLogout(accountID: try context.uuid("id"), context: context)
            return Response(status: .noContent)
        }
        group.secured(.get, "staff/sales/summary", .readSalesSummary) { _, context in
            SalesSummaryDTO(try await staff.salesReport(context: context))
        }
        group.secured(.get, "staff/audit-events", .readAuditEvents) { request, context in
            let limit = try request.query("limit", default: 50, in: 1...200)
            let offset = try request.query("offset", default: 0, in: 0...10_000_000)
            let before = try request.query("before", default: 0, in: 1...Int.max)
            // `before` pages by sequence (the cost of a page, at any depth); `offset` is kept for
            // older clients. Both at once is ambiguous.
            guard before == 0 || offset == 0 else { throw ApiError.badParameter }
            if offset > 0 {
                let events = try await services.store.read { db in try db.auditEvents(limit: limit + 1, offset: offset) }
                try await staff.record(context, "audit.read")
                return AuditEventPageDTO(items: events.prefix(limit).map(AuditEventDTO.init), nextOffset: events.count > limit ? offset + limit : nil)
            }
            let page = try await services.store.read { db in try db.auditEvents(limit: limit + 1, before: before == 0 ? nil : Int64(before)) }
            try await staff.record(context, "audit.read")
            let more = page.count > limit
            return AuditEventPageDTO(items: page.prefix(limit).map { AuditEventDTO($0.event) },
                                     nextOffset: more && before == 0 ? limit : nil, nextBefore: more ? page[limit - 1].seq : nil)
        }
        group.secured(.post, "admin/accounts", .createAccount) { request, context in
            let body = try await request.decodeBody(CreateAccountRequest.self, context: context)
            let created = try await OversightService(services: services).createAccount(body, context: context)
            // A staff account waits, locked, for a second administrator: 202 with the request.
            if let grant = created.grant { return try Created(value: RoleGrantDTO(grant), status: .accepted).response(from: request, context: context) }
            return try Created(value: AccountDTO(created.account)).response(from: request, context: context)
        }
    }
}
