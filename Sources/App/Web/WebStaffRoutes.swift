import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// The staff console's home and support's pages: masked customer search and detail,
/// reveal-with-reason, account lock, unlock and forced logout, and order reschedule or
/// cancel. Same services, policy and audit as the staff API.
struct WebStaffRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }
    var staff: StaffService { StaffService(services: services) }

    struct SearchForm: Decodable, Sendable { var query: String }
    struct RevealForm: Decodable, Sendable { var reason: String; var ticket: String? }
    struct OrderChangeForm: Decodable, Sendable { var action: String; var scheduledDate: String?; var reason: String }

    func endpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        pages.page("staff/customers", .searchCustomers) { _, caller in
            try web.page("staff/customers", web.frame(caller, account: try await controller.account(caller), title: "Customers"))
        }
        // A POST, so the email or phone searched for stays out of URLs, browser history and proxies.
        pages.form("staff/customers", .searchCustomers, SearchForm.self) { form, _, caller in
            var values = web.frame(caller, account: try await controller.account(caller), title: "Customers")
            do {
                let found = try await staff.search(form.query, context: caller)
                values["results"] = found.map { Self.summary(CustomerSummaryDTO($0.account, city: $0.city)) }
                values["hasResults"] = !found.isEmpty
                values["searched"] = true
                return try web.page("staff/customers", values)
            } catch let error as ApiError where error.status == .unprocessableContent {
                values["form"] = ["query": form.query]
                values["errors"] = ["query": "Search by the customer's exact email or phone (2 to 100 characters)."]
                return try web.page("staff/customers", values, status: error.status)
            }
        }
        pages.page("staff/customers/:id", .readCustomer) { _, caller in
            let found = try await staff.detail(try caller.uuid("id"), context: caller)
            return try web.page("staff/customer", try await detailValues(found, caller: caller))
        }
        pages.form("staff/customers/:id/reveal", .revealCustomerPII, RevealForm.self) { form, _, caller in
            let id = try caller.uuid("id")
            let ticket = form.ticket.flatMap { $0.isEmpty ? nil : $0 }
            do {
                let found = try await staff.reveal(id, reason: form.reason, ticket: ticket, context: caller)
                var values = web.frame(caller, account: try await controller.account(caller), title: "Customer data")
                values["customer"] = ["id": found.account.id.uuidString.lowercased(), "name": found.account.name,
                                      "email": found.account.email, "phone": found.account.phone,
                                      "sites": found.orders.map { o in
                                          ["id": o.id.uuidString.lowercased(), "order": WebSupport.short(o.id), "line1": o.address.line1,
                                           "line2": o.address.line2 ?? "", "city": o.address.city, "postalCode": o.address.postalCode,
                                           "country": o.address.country]
                                      }] as [String: Any]
                return try web.page("staff/revealed", values)
            } catch let error as ApiError where error.status == .unprocessableContent {
                var values = try await detailValues(try await staff.load(id), caller: caller)
                values["errors"] = WebSupport.fieldErrors(error.fieldErrors)
                values["form"] = ["reason": form.reason, "ticket": form.ticket ?? ""]
                values["error"] = "Give a reason of 10 to 500 characters (and at most 64 for the ticket)."
                return try web.page("staff/customer", values, status: error.status)
            }
        }
        for (path, locking) in [("lock", true), ("unlock", false)] {
            pages.form("staff/accounts/:id/\(path)", .lockAccount, CSRFField.self) { _, _, caller in
                let id = try caller.uuid("id")
                try await staff.setLock(id, locked: locking, context: caller)
                return web.redirect("/staff/customers/\(id.uuidString.lowercased())")
            }
        }
        pages.form("staff/accounts/:id/logout", .forceLogout, CSRFField.self) { _, _, caller in
            let id = try caller.uuid("id")
            try await AccountSecurityService(services: services).forceLogout(accountID: id, context: caller)
            return web.redirect("/staff/customers/\(id.uuidString.lowercased())")
        }
        pages.page("staff/orders/:id", .readAnyOrder) { _, caller in
            let id = try caller.uuid("id")
            guard let order = try await services.store.read({ db in try db.order(id: id) }) else { throw ApiError.notFound }
            try await staff.record(caller, "staff.order.view", target: ("order", id))
            return try await orderPage(order, caller: caller, form: [:], errors: [:], status: .ok)
        }
        pages.form("staff/orders/:id", .updateAnyOrder, OrderChangeForm.self) { form, _, caller in
            let id = try caller.uuid("id")
            guard let kind = StaffOrderUpdateRequest.Kind(rawValue: form.action) else { throw ApiError.malformedBody }
            let date = form.scheduledDate.flatMap { $0.isEmpty ? nil : $0 }
            do {
                let order = try await staff.updateOrder(id, StaffOrderUpdateRequest(action: kind, scheduledDate: date, reason: form.reason), context: caller)
                var values = try await orderValues(order, caller: caller)
                values["notice"] = kind == .cancel ? "The order was cancelled." : "The job was moved to \(order.scheduledDate?.description ?? "-")."
                return try web.page("staff/order", values)
            } catch let error as ApiError where error.status == .unprocessableContent {
                guard let order = try await services.store.read({ db in try db.order(id: id) }) else { throw ApiError.notFound }
                return try await orderPage(order, caller: caller, form: ["scheduledDate": date ?? "", "reason": form.reason],
                                           errors: WebSupport.fieldErrors(error.fieldErrors), status: error.status)
            }
        }
    }

    /// The console's home: the pages this role may open. Staff without a second factor are
    /// sent to enrol first.
    func console(_ caller: AuthenticatedContext) async throws -> Response {
        guard caller.principal.secondFactor else { return web.redirect("/account/security") }
        let me = caller.principal.accountID, now = services.now()
        var values = web.frame(caller, account: try await controller.account(caller), title: "Staff console")
        values["links"] = WebNavigation.consoleCards(for: caller.principal)
        if caller.principal.breakGlass, let grant = try await services.store.read({ db in try db.activeBreakGlass(engineerID: me, now: now) }) {
            values["breakGlass"] = grant.expiresAt.map(WebSupport.minute)
        }
        return try web.page("staff/home", values)
    }

    func orderValues(_ order: Order, caller: AuthenticatedContext) async throws -> [String: Any] {
        var values = web.frame(caller, account: try await controller.account(caller), title: "Order #\(WebSupport.short(order.id))")
        let dto = StaffOrderDTO(order)
        values["order"] = [
            "id": order.id.uuidString.lowercased(), "short": WebSupport.short(order.id), "status": order.status.rawValue,
            "statusLabel": WebPresentation.statusLabel(order.status), "city": dto.city, "region": dto.region, "country": order.address.country,
            "size": String(order.spec.systemSizeKw), "panels": order.spec.panelCount, "roof": WebPresentation.roofLabel(order.spec.roofType),
            "total": WebSupport.money(order.quote.totalCents, order.quote.currency), "preferred": order.preferredDate?.description ?? "-",
            "scheduled": order.scheduledDate?.description ?? "-", "customerID": order.customerID.uuidString.lowercased(),
            "canReschedule": order.status == .scheduled, "canCancel": order.status.isCancellable,
        ] as [String: Any]
        values["today"] = CalendarDate(utc: services.now()).description
        return values
    }

    func orderPage(_ order: Order, caller: AuthenticatedContext, form: [String: String], errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        var values = try await orderValues(order, caller: caller)
        values["form"] = form
        values["errors"] = errors
        return try web.page("staff/order", values, status: status)
    }

    func detailValues(_ found: (account: Account, orders: [Order]), caller: AuthenticatedContext) async throws -> [String: Any] {
        var values = web.frame(caller, account: try await controller.account(caller), title: "Customer")
        var customer = Self.summary(CustomerSummaryDTO(found.account, city: found.orders.first?.address.city))
        customer["orders"] = found.orders.map { o in
            let dto = StaffOrderDTO(o)
            return ["id": o.id.uuidString.lowercased(), "short": WebSupport.short(o.id), "status": dto.status.rawValue,
                    "statusLabel": WebPresentation.statusLabel(o.status), "city": dto.city, "region": dto.region,
                    "total": WebSupport.money(o.quote.totalCents, o.quote.currency), "scheduled": dto.scheduledDate ?? "-"]
        }
        values["customer"] = customer
        return values
    }

    static func summary(_ c: CustomerSummaryDTO) -> [String: Any] {
        ["id": c.id.uuidString.lowercased(), "name": c.name, "email": c.email, "phone": c.phone, "city": c.city ?? "-",
         "locked": c.locked, "since": WebSupport.day(c.createdAt)]
    }
}
