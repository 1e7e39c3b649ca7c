import Domain
import Foundation
import Hummingbird
import Security
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
            let id = try context.uuid("id")
            let body = try await request.decodeBody(StaffOrderUpdateRequest.self, context: context)
            var v = Validator()
            v.text(body.reason, "reason", 1...500)
            let date = body.scheduledDate.flatMap(CalendarDate.init)
            if body.action == .reschedule {
                v.check(date != nil && date! >= CalendarDate(utc: services.now()), "scheduledDate", "must be a date YYYY-MM-DD, today or later")
            }
            if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
            switch body.action {
            case .cancel:
                return StaffOrderDTO(try await workflow.cancel(id, context: context, action: .updateAnyOrder, reason: body.reason))
            case .reschedule:
                return StaffOrderDTO(try await reschedule(id, to: date!, reason: body.reason, context: context))
            }
        }
        group.secured(.put, "admin/accounts/:id/role", .changeRole) { request, context in
            let body = try await request.decodeBody(RoleChangeRequest.self, context: context)
            try await AccountSecurityService(services: services).changeRole(of: try context.uuid("id"), to: body.role, context: context)
            return Response(status: .noContent)
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
            let events = try await services.store.read { db in try db.auditEvents(limit: limit + 1, offset: offset) }
            try await staff.record(context, "audit.read")
            return AuditEventPageDTO(items: events.prefix(limit).map(AuditEventDTO.init), nextOffset: events.count > limit ? offset + limit : nil)
        }
        group.secured(.post, "admin/accounts", .createAccount) { request, context in
            let body = try await request.decodeBody(CreateAccountRequest.self, context: context)
            let email = Formats.normalizedEmail(body.email)
            var v = Validator()
            v.check(Formats.isValidEmail(email), "email", "must be a valid email address")
            v.text(body.name, "name", 1...100)
            v.check(Formats.isValidPhone(body.phone), "phone", "must be in E.164 format")
            if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
            try await PasswordRules(services: services).check(body.password, email: email, field: "password")
            let account = try await AuthService(services: services).createAccount(
                email: email, name: body.name, phone: body.phone, role: body.role, password: body.password,
                action: "admin.account.create", audit: AuditContext(context)
            )
            return Created(value: AccountDTO(account))
        }
    }

    /// Support moves a scheduled job to another day. Only `scheduled` orders can move.
    func reschedule(_ id: UUID, to date: CalendarDate, reason: String, context: AuthenticatedContext) async throws -> Order {
        let now = services.now()
        let audit = AuditContext(context)
        return try await services.store.write { db in
            guard var order = try db.order(id: id) else { throw ApiError.notFound }
            guard order.status == .scheduled else { throw ApiError.invalidTransition }
            order.scheduledDate = date
            order.updatedAt = now
            guard try db.updateOrder(order, expectedStatus: .scheduled) else { throw ApiError.invalidTransition }
            try db.appendAudit(audit.event("staff.order.reschedule", at: now, target: ("order", id), detail: "to \(date) reason: \(reason)"))
            return order
        }
    }
}
