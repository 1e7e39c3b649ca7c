import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// Support's view of customers: masked by default; the full data only through a reveal with
/// a reason, for that one response, audited. Also account locks.
struct StaffCustomersController {
    let services: AppServices

    func record(_ context: AuthenticatedContext, _ action: String, target: (type: String, id: UUID?)? = nil, detail: String? = nil) async throws {
        let event = AuditContext(context).event(action, at: services.now(), target: target, detail: detail)
        try await services.store.write { db in try db.appendAudit(event) }
    }

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        group.secured(.get, "staff/customers", .searchCustomers) { request, context in
            let query = request.uri.queryParameters["query"].map(String.init)?.trimmingCharacters(in: .whitespaces) ?? ""
            guard (2...100).contains(query.count) else { throw ApiError.validation([FieldError("query", "must be 2 to 100 characters")]) }
            let found = try await services.store.read { db in
                try db.searchCustomers(query: query, limit: 50).map { ($0, try db.orders(customerID: $0.id, limit: 1, offset: 0).first?.address.city) }
            }
            try await record(context, "staff.customer.search", detail: "results=\(found.count)")
            return CustomerListDTO(items: found.map { CustomerSummaryDTO($0.0, city: $0.1) })
        }
        group.secured(.get, "staff/customers/:id", .readCustomer) { _, context in
            let id = try context.uuid("id")
            let (account, orders) = try await services.store.read { db in
                (try db.account(id: id), try db.orders(customerID: id, limit: 100, offset: 0))
            }
            guard let account, account.role == .customer else { throw ApiError.notFound }
            try await record(context, "staff.customer.view", target: ("account", id))
            return CustomerDetailDTO(customer: CustomerSummaryDTO(account, city: orders.first?.address.city), orders: orders.map(StaffOrderDTO.init))
        }
        group.secured(.post, "staff/customers/:id/reveal", .revealCustomerPII) { request, context in
            let id = try context.uuid("id")
            let body = try await request.decodeBody(RevealRequest.self, context: context)
            var v = Validator()
            v.text(body.reason.trimmingCharacters(in: .whitespaces), "reason", 10...500)
            v.text(body.ticket, "ticket", 1...64, required: false)
            if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
            let (account, orders) = try await services.store.read { db in
                (try db.account(id: id), try db.orders(customerID: id, limit: 100, offset: 0))
            }
            guard let account, account.role == .customer else { throw ApiError.notFound }
            let detail = "ticket=\(body.ticket ?? "-") reason: \(body.reason)"
            try await record(context, "pii.reveal", target: ("account", id), detail: detail)
            services.metrics.piiReveal(staffID: context.principal.accountID)
            return RevealedCustomerDTO(id: account.id, name: account.name, email: account.email, phone: account.phone,
                                       sites: orders.map { .init(orderId: $0.id, address: $0.address) })
        }
        for (path, locking) in [("lock", true), ("unlock", false)] {
            group.secured(.post, "staff/accounts/:id/\(path)", .lockAccount) { _, context in
                try await setLock(try context.uuid("id"), locked: locking, context: context)
                return Response(status: .noContent)
            }
        }
    }

    /// Support locks customers and installers; admins lock anyone but themselves. Locking ends
    /// every session of the account.
    func setLock(_ id: UUID, locked: Bool, context: AuthenticatedContext) async throws {
        let now = services.now()
        let audit = AuditContext(context)
        let caller = context.principal
        try await services.store.write { db in
            guard let target = try db.account(id: id) else { throw ApiError.notFound }
            guard target.id != caller.accountID, caller.role == .admin || !target.role.isStaff else {
                throw ApiError(.forbidden, "forbidden", "Your role does not allow locking this account.")
            }
            try db.setLocked(accountID: id, at: locked ? now : nil)
            if locked { try db.revokeSessions(accountID: id, keeping: nil, at: now) }
            try db.appendAudit(audit.event(locked ? "staff.account.lock" : "staff.account.unlock", at: now, target: ("account", id)))
        }
    }
}
