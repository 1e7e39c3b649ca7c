import Domain
import Foundation
import Storage

/// Support's work on customers, shared by the staff API and the web console: masked search and
/// detail, and the full data only through a reveal with a reason, audited. Callers check the
/// role (`searchCustomers`, `readCustomer`, `revealCustomerPII`) before calling.
struct StaffCustomerService: Sendable {
    let services: AppServices

    func record(_ context: AuthenticatedContext, _ action: String, target: (type: String, id: UUID?)? = nil, detail: String? = nil) async throws {
        let event = AuditContext(context).event(action, at: services.now(), target: target, detail: detail)
        try await services.store.write { db in try db.appendAudit(event) }
    }

    /// Customers matching an exact email or phone (blind index), with the city of their latest order.
    func search(_ raw: String, context: AuthenticatedContext) async throws -> [(account: Account, city: String?)] {
        let query = raw.trimmingCharacters(in: .whitespaces)
        guard (2...100).contains(query.count) else { throw ApiError.validation([FieldError("query", "must be 2 to 100 characters")]) }
        let found = try await services.store.read { db in
            try db.searchCustomers(query: query, limit: 50).map { ($0, try db.orders(customerID: $0.id, limit: 1, offset: 0).first?.address.city) }
        }
        try await record(context, "staff.customer.search", detail: "results=\(found.count)")
        return found.map { (account: $0.0, city: $0.1) }
    }

    /// A customer and their orders; 404 for any other kind of account.
    func detail(_ id: UUID, context: AuthenticatedContext) async throws -> (account: Account, orders: [Order]) {
        let found = try await load(id)
        try await record(context, "staff.customer.view", target: ("account", id))
        return found
    }

    /// The full data for one response, after a reason of 10 to 500 characters; audited as `pii.reveal`.
    func reveal(_ id: UUID, reason: String, ticket: String?, context: AuthenticatedContext) async throws -> (account: Account, orders: [Order]) {
        var v = Validator()
        v.text(reason.trimmingCharacters(in: .whitespaces), "reason", 10...500)
        v.text(ticket, "ticket", 1...64, required: false)
        if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
        let found = try await load(id)
        try await record(context, "pii.reveal", target: ("account", id), detail: "ticket=\(ticket ?? "-") reason: \(reason)")
        services.metrics.piiReveal(staffID: context.principal.accountID)
        return found
    }

    func load(_ id: UUID) async throws -> (account: Account, orders: [Order]) {
        let (account, orders) = try await services.store.read { db in
            (try db.account(id: id), try db.orders(customerID: id, limit: 100, offset: 0))
        }
        guard let account, account.role == .customer else { throw ApiError.notFound }
        return (account, orders)
    }
}
