import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Storage

/// The staff console on the web: support's masked customer search and detail with
/// reveal-with-reason, and the sales summary. Same services, policy and audit as the staff
/// API; an engineer working under a break-glass grant is audited per request here too.
struct WebStaffRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }
    var support: StaffService { StaffService(services: services) }

    struct SearchForm: Decodable { var _csrf: String?; var query: String }
    struct RevealForm: Decodable { var _csrf: String?; var reason: String; var ticket: String? }

    func endpoints(_ router: Router<AppRequestContext>) {
        router.get("staff/customers") { request, context in
            try await staffPage(request, context, .searchCustomers) { _, account in
                web.page("staffCustomers", web.frame(context, account: account, title: "Customers"))
            }
        }
        // A POST, so the email or phone searched for stays out of URLs, browser history and proxies.
        router.post("staff/customers") { request, context in
            let form = try await web.form(SearchForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            return try await staffPage(request, context, .searchCustomers, caller: caller) { caller, account in
                var values = web.frame(context, account: account, title: "Customers")
                do {
                    let found = try await support.search(form.query, context: caller)
                    values["results"] = found.map { Self.summary(CustomerSummaryDTO($0.account, city: $0.city)) }
                    values["searched"] = true
                    return web.page("staffCustomers", values)
                } catch let error as ApiError where error.status == .unprocessableContent {
                    values["error"] = "Search by the customer's exact email or phone (2 to 100 characters)."
                    return web.page("staffCustomers", values, status: error.status)
                }
            }
        }
        router.get("staff/customers/:id") { request, context in
            try await staffPage(request, context, .readCustomer) { caller, account in
                let found = try await support.detail(try context.uuid("id"), context: caller)
                return web.page("staffCustomer", detailValues(found, context: context, account: account))
            }
        }
        router.post("staff/customers/:id/reveal") { request, context in
            let form = try await web.form(RevealForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            return try await staffPage(request, context, .revealCustomerPII, caller: caller) { caller, account in
                let id = try context.uuid("id")
                let ticket = form.ticket.flatMap { $0.isEmpty ? nil : $0 }
                do {
                    let found = try await support.reveal(id, reason: form.reason, ticket: ticket, context: caller)
                    var values = web.frame(context, account: account, title: "Customer data")
                    values["customer"] = ["id": found.account.id.uuidString.lowercased(), "name": found.account.name,
                                          "email": found.account.email, "phone": found.account.phone]
                    values["sites"] = found.orders.map { o in
                        ["order": String(o.id.uuidString.prefix(8)), "line1": o.address.line1, "line2": o.address.line2 ?? "",
                         "city": o.address.city, "postalCode": o.address.postalCode, "country": o.address.country]
                    }
                    return web.page("staffRevealed", values)
                } catch let error as ApiError where error.status == .unprocessableContent {
                    var values = detailValues(try await support.load(id), context: context, account: account)
                    values["error"] = "Give a reason of 10 to 500 characters (and at most 64 for the ticket)."
                    return web.page("staffCustomer", values, status: error.status)
                }
            }
        }
        router.get("staff/sales") { request, context in
            try await staffPage(request, context, .readSalesSummary) { caller, account in
                let report = try await support.salesReport(context: caller)
                var values = web.frame(context, account: account, title: "Sales")
                values["conversion"] = String(format: "%.1f %%", report.quoteConversionRate * 100)
                values["byStatus"] = report.byStatus.map { ["status": $0.status.rawValue, "count": $0.count] }
                let money = { (cents: Int64) in WebSupport.money(cents, report.currency) }
                values["byWeek"] = report.byWeek.map { ["key": $0.key, "orders": $0.orders, "revenue": money($0.revenueCents)] }
                values["byRegion"] = report.byRegion.map { ["key": $0.key, "orders": $0.orders, "revenue": money($0.revenueCents)] }
                return web.page("staffSales", values)
            }
        }
    }

    /// Runs a staff page for a signed-in caller whose role allows `action`; a visitor without a
    /// session goes to the login page. Requests under a break-glass grant are audited.
    func staffPage(
        _ request: Request, _ context: AppRequestContext, _ action: Action, caller known: AuthenticatedContext? = nil,
        _ body: (AuthenticatedContext, Account) async throws -> Response
    ) async throws -> Response {
        guard let caller = known ?? (try? AuthenticatedContext(context: context)) else { return web.redirect("/login") }
        try caller.requireRole(for: action)
        guard let account = try await services.store.read({ db in try db.account(id: caller.principal.accountID) }) else {
            return web.redirect("/login")
        }
        return try await support.auditingBreakGlass(caller, request) { try await body(caller, account) }
    }

    func detailValues(_ found: (account: Account, orders: [Order]), context: AppRequestContext, account: Account) -> [String: Any] {
        var values = web.frame(context, account: account, title: "Customer")
        values["customer"] = Self.summary(CustomerSummaryDTO(found.account, city: found.orders.first?.address.city))
        values["orders"] = found.orders.map { o in
            let dto = StaffOrderDTO(o)
            return ["short": String(o.id.uuidString.prefix(8)), "status": dto.status.rawValue, "city": dto.city, "region": dto.region,
                    "total": WebSupport.money(o.quote.totalCents, o.quote.currency), "scheduled": dto.scheduledDate ?? "-"]
        }
        return values
    }

    static func summary(_ c: CustomerSummaryDTO) -> [String: Any] {
        ["id": c.id.uuidString.lowercased(), "name": c.name, "email": c.email, "phone": c.phone, "city": c.city ?? "-",
         "locked": c.locked ? "locked" : "", "since": WebSupport.day(c.createdAt)]
    }
}
