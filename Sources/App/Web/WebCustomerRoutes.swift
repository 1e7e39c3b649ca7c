import Domain
import Foundation
import Geocoding
import HTTPTypes
import Hummingbird
import Storage

/// The customer portal: orders by address (the geocoder finds the coordinates), the quote,
/// the status timeline, accepting and cancelling.
struct WebCustomerRoutes {
    let controller: WebController
    var web: WebSupport { controller.web }
    var services: AppServices { controller.services }
    var workflow: OrderWorkflow { OrderWorkflow(services: services) }

    struct OrderForm: Decodable, Sendable {
        var line1: String; var line2: String?; var city: String; var region: String; var postalCode: String; var country: String
        var systemSizeKw: String; var panelCount: String; var roofType: String; var preferredDate: String?; var notes: String?
    }

    func endpoints(_ pages: RouterGroup<AuthenticatedContext>) {
        pages.page("orders/new", .createOrder) { _, caller in
            try await newOrderPage(caller, form: nil, errors: [:], status: .ok)
        }
        pages.form("orders", .createOrder, OrderForm.self) { form, _, caller in
            do {
                let order = try await create(form, caller: caller)
                return web.redirect("/orders/\(order.id.uuidString.lowercased())")
            } catch let failure as ValidationFailure {
                return try await newOrderPage(caller, form: form, errors: WebSupport.fieldErrors(failure.errors), status: .unprocessableContent)
            }
        }
        pages.page("orders/:id", .readOwnOrder) { _, caller in
            let id = try caller.uuid("id")
            let order = try await services.store.read { [workflow] db in try workflow.load(id, for: caller, .readOwnOrder, db: db) { $0.customerID } }
            var values = web.frame(caller, account: try await controller.account(caller), title: "Installation #\(WebSupport.short(order.id))")
            values["order"] = WebPresentation.customerOrder(order)
            return try web.page("customer/order", values)
        }
        pages.form("orders/:id/accept-quote", .acceptQuote, CSRFField.self) { _, _, caller in
            let order = try await PaymentService(services: services).acceptQuote(try caller.uuid("id"), context: caller)
            return web.redirect("/orders/\(order.id.uuidString.lowercased())")
        }
        pages.form("orders/:id/cancel", .cancelOwnOrder, CSRFField.self) { _, _, caller in
            let order = try await workflow.cancel(try caller.uuid("id"), context: caller, action: .cancelOwnOrder)
            return web.redirect("/orders/\(order.id.uuidString.lowercased())")
        }
    }

    /// Validates the form, places the address with the geocoder, and creates the quoted order.
    func create(_ form: OrderForm, caller: AuthenticatedContext) async throws -> Order {
        let blank = { (s: String?) in s.flatMap { $0.trimmingCharacters(in: .whitespaces).isEmpty ? nil : $0 } }
        let address = Address(line1: form.line1, line2: blank(form.line2), city: form.city, region: form.region,
                              postalCode: form.postalCode, country: form.country.uppercased())
        let size = Double(form.systemSizeKw.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: ",", with: "."))
        let panels = Int(form.panelCount.trimmingCharacters(in: .whitespaces))
        let roof = RoofType(rawValue: form.roofType)
        var errors: [FieldError] = []
        if size == nil { errors.append(FieldError("systemSizeKw", "must be a number such as 6.4")) }
        if panels == nil { errors.append(FieldError("panelCount", "must be a whole number")) }
        if roof == nil { errors.append(FieldError("roofType", "choose a roof type")) }
        let place = try await services.geocoder.locate(GeocodeQuery(city: form.city, postalCode: form.postalCode, country: address.country))
        if place == nil {
            errors.append(FieldError("city", "we could not find this city or postal code; check the spelling or try the nearest town"))
        }
        if !errors.isEmpty { throw ValidationFailure(errors) }
        let draft = try OrderDraft(
            address: address, location: GeoPoint(latitude: place!.latitude, longitude: place!.longitude), systemSizeKw: size!, panelCount: panels!,
            roofType: roof!, preferredDate: blank(form.preferredDate), notes: blank(form.notes), today: CalendarDate(utc: services.now())
        )
        return try await workflow.create(draft, customer: caller.principal, audit: AuditContext(caller))
    }

    func newOrderPage(_ caller: AuthenticatedContext, form: OrderForm?, errors: [String: String], status: HTTPResponse.Status) async throws -> Response {
        var values = web.frame(caller, account: try await controller.account(caller), title: "New installation",
                               error: errors.isEmpty ? nil : "Please check the highlighted fields.")
        let chosenRoof = form?.roofType ?? RoofType.tile.rawValue
        values["form"] = form.map { f in
            ["line1": f.line1, "line2": f.line2 ?? "", "city": f.city, "region": f.region, "postalCode": f.postalCode,
             "systemSizeKw": f.systemSizeKw, "panelCount": f.panelCount, "preferredDate": f.preferredDate ?? "", "notes": f.notes ?? ""]
        } ?? ["systemSizeKw": "6.4", "panelCount": "16"]
        values["errors"] = errors
        values["countries"] = WebPresentation.countryChoices(selected: form?.country)
        values["roofs"] = RoofType.allCases.map { ["value": $0.rawValue, "label": WebPresentation.roofLabel($0), "selected": $0.rawValue == chosenRoof] }
        values["today"] = CalendarDate(utc: services.now()).description
        return try web.page("customer/new-order", values, status: status)
    }

    /// The customer's dashboard: their orders, newest first.
    func orders(_ caller: AuthenticatedContext) async throws -> Response {
        let me = caller.principal.accountID
        let orders = try await services.store.read { db in try db.orders(customerID: me, limit: 100, offset: 0) }
        var values = web.frame(caller, account: try await controller.account(caller), title: "Your installations")
        values["hasOrders"] = !orders.isEmpty
        values["orders"] = orders.map { o in
            ["id": o.id.uuidString.lowercased(), "short": WebSupport.short(o.id), "status": o.status.rawValue, "statusLabel": WebPresentation.statusLabel(o.status),
             "city": o.address.city, "size": String(o.spec.systemSizeKw), "total": WebSupport.money(o.quote.totalCents, o.quote.currency),
             "created": WebSupport.day(o.createdAt)]
        }
        return try web.page("customer/orders", values)
    }
}
