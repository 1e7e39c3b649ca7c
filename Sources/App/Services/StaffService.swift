import Domain
import Foundation
import Hummingbird
import Storage

/// Staff work shared by the staff API and the web console: support's masked customer search
/// and detail, the full data only through a reveal with a reason, the sales report, and the
/// audit of break-glass requests. Callers check the role (`searchCustomers`, `readCustomer`,
/// `revealCustomerPII`, `readSalesSummary`) before calling.
struct StaffService: Sendable {
    let services: AppServices

    /// Writes one audit event for a staff action outside a larger transaction.
    func record(_ context: AuthenticatedContext, _ action: String, target: (type: String, id: UUID?)? = nil, detail: String? = nil) async throws {
        let event = AuditContext(context).event(action, at: services.now(), target: target, detail: detail)
        try await services.store.write { db in try db.appendAudit(event) }
    }

    /// Customers matching an exact email or phone (blind index), with the city of their latest order.
    func search(_ raw: String, context: AuthenticatedContext) async throws -> [(account: Account, city: String?)] {
        try await ActionLimiter(services: services).check(.customerSearch, accountKey: context.principal.accountID.uuidString, address: context.clientIP)
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
        try await ActionLimiter(services: services).check(.reveal, accountKey: context.principal.accountID.uuidString, address: context.clientIP)
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

    /// Aggregates only: counts, revenue and conversion by status, week and region; audited.
    func salesReport(context: AuthenticatedContext) async throws -> SalesReport {
        let facts = try await services.store.read { db in try db.salesFacts() }
        try await record(context, "staff.sales.summary")
        return SalesReport(facts: facts, currency: services.pricing.currency)
    }

    /// Support reschedules a scheduled job or cancels an order before work starts, with a reason.
    func updateOrder(_ id: UUID, _ change: StaffOrderUpdateRequest, context: AuthenticatedContext) async throws -> Order {
        var v = Validator()
        v.text(change.reason, "reason", 1...500)
        let date = change.scheduledDate.flatMap(CalendarDate.init)
        if change.action == .reschedule {
            v.check(date != nil && date! >= CalendarDate(utc: services.now()), "scheduledDate", "must be a date YYYY-MM-DD, today or later")
        }
        if !v.errors.isEmpty { throw ApiError.validation(v.errors) }
        switch change.action {
        case .cancel:
            return try await OrderWorkflow(services: services).cancel(id, context: context, action: .updateAnyOrder, reason: change.reason)
        case .reschedule:
            return try await reschedule(id, to: date!, reason: change.reason, context: context)
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
            // A staff account created by an admin stays locked until a second admin approves its role.
            if !locked, try db.creationPending(accountID: id) {
                throw ApiError(.conflict, "pending-approval", "This account waits for another administrator to approve its role.")
            }
            try db.setLocked(accountID: id, at: locked ? now : nil)
            if locked { try db.revokeSessions(accountID: id, keeping: nil, at: now) }
            try db.appendAudit(audit.event(locked ? "staff.account.lock" : "staff.account.unlock", at: now, target: ("account", id)))
        }
    }

    /// Runs `work` for `caller`; when the caller is an engineer or admin holding break-glass access, the
    /// request and its outcome are audited as `security.break_glass.action`, refused or not.
    func auditingBreakGlass(
        _ caller: AuthenticatedContext, _ request: Request, _ work: () async throws -> Response
    ) async throws -> Response {
        guard caller.principal.role.usesBreakGlass, caller.principal.breakGlass else { return try await work() }
        let outcome: Result<Response, any Error>
        do { outcome = .success(try await work()) } catch { outcome = .failure(error) }
        let status = (try? outcome.get()).map { String($0.status.code) } ?? "refused"
        let event = AuditContext(caller).event("security.break_glass.action", at: services.now(),
                                               detail: "\(request.method.rawValue) \(request.uri.path) -> \(status)")
        try await services.store.write { db in try db.appendAudit(event) }
        return try outcome.get()
    }
}
