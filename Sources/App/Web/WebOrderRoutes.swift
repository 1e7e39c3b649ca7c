import Domain
import Foundation
import HTTPTypes
import Hummingbird
import Security
import Storage
import Logging
import NIOCore

/// Customer order pages: create, view, accept the quote, cancel.
struct WebOrderRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }

    struct OrderForm: Decodable {
        var _csrf: String?
        var line1: String, city: String, region: String, postalCode: String, country: String
        var latitude: String, longitude: String, systemSizeKw: String, panelCount: String, roofType: String
        var notes: String?
    }

    func endpoints(_ router: Router<AppRequestContext>) {
        router.get("orders/new") { _, context in
            guard let caller = try? AuthenticatedContext(context: context) else { return web.redirect("/login") }
            try caller.requireRole(for: .createOrder)
            return try await newOrderPage(caller, context: context, error: nil, status: .ok)
        }
        router.post("orders") { request, context in
            let form = try await web.form(OrderForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            try caller.requireRole(for: .createOrder)
            do {
                guard let lat = Double(form.latitude), let lon = Double(form.longitude), let size = Double(form.systemSizeKw),
                      let panels = Int(form.panelCount), let roof = RoofType(rawValue: form.roofType) else {
                    throw ValidationFailure([FieldError("form", "numbers and roof type must be valid")])
                }
                let address = Address(line1: form.line1, line2: nil, city: form.city, region: form.region, postalCode: form.postalCode, country: form.country)
                let draft = try OrderDraft(address: address, location: GeoPoint(latitude: lat, longitude: lon), systemSizeKw: size, panelCount: panels,
                                           roofType: roof, preferredDate: nil, notes: form.notes.flatMap { $0.isEmpty ? nil : $0 },
                                           today: CalendarDate(utc: services.now()))
                let order = try await controller.workflow.create(draft, customer: caller.principal, audit: AuditContext(caller))
                return web.redirect("/orders/\(order.id.uuidString.lowercased())")
            } catch let failure as ValidationFailure {
                let message = failure.errors.map { "\($0.field) \($0.message)" }.joined(separator: " · ")
                return try await newOrderPage(caller, context: context, error: message, status: .unprocessableContent)
            }
        }
        router.get("orders/:id") { _, context in
            guard let caller = try? AuthenticatedContext(context: context) else { return web.redirect("/login") }
            try caller.requireRole(for: .readOwnOrder)
            let id = try context.uuid("id")
            let me = caller.principal.accountID
            let (order, account) = try await services.store.read { [workflow = controller.workflow] db in
                (try workflow.load(id, for: caller, .readOwnOrder, db: db) { $0.customerID }, try db.account(id: me))
            }
            var values = web.frame(context, account: account, title: "Order")
            values["id"] = order.id.uuidString.lowercased()
            values["short"] = String(order.id.uuidString.prefix(8))
            values["status"] = order.status.rawValue
            values["scheduled"] = order.scheduledDate?.description
            values["line1"] = order.address.line1
            values["city"] = order.address.city
            values["postalCode"] = order.address.postalCode
            values["country"] = order.address.country
            values["size"] = String(order.spec.systemSizeKw)
            values["panels"] = order.spec.panelCount
            values["roof"] = order.spec.roofType.rawValue
            values["lines"] = order.quote.lines.map { ["description": $0.description, "amount": WebSupport.money($0.amountCents, order.quote.currency)] }
            values["total"] = WebSupport.money(order.quote.totalCents, order.quote.currency)
            values["canAccept"] = order.status == .quoted
            values["canCancel"] = order.status.isCancellable
            return web.page("order", values)
        }
        router.post("orders/:id/accept-quote") { request, context in
            let form = try await web.form(WebController.TokenForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            try caller.requireRole(for: .acceptQuote)
            let order = try await controller.workflow.acceptQuote(try context.uuid("id"), context: caller)
            return web.redirect("/orders/\(order.id.uuidString.lowercased())")
        }
        router.post("orders/:id/cancel") { request, context in
            let form = try await web.form(WebController.TokenForm.self, request, context: context)
            let caller = try web.authenticatedPost(request, context: context, csrf: form._csrf)
            try caller.requireRole(for: .cancelOwnOrder)
            let order = try await controller.workflow.cancel(try context.uuid("id"), context: caller, action: .cancelOwnOrder)
            return web.redirect("/orders/\(order.id.uuidString.lowercased())")
        }
    }

    func newOrderPage(_ caller: AuthenticatedContext, context: AppRequestContext, error: String?, status: HTTPResponse.Status) async throws -> Response {
        let me = caller.principal.accountID
        let account = try await services.store.read { db in try db.account(id: me) }
        var values = web.frame(context, account: account, title: "New order", error: error)
        values["roofs"] = RoofType.allCases.map(\.rawValue)
        return web.page("newOrder", values, status: status)
    }
}
