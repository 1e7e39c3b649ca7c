import Domain
import Foundation
import Hummingbird
import HTTPTypes
import Logging
import NIOCore
import SolarSecurity
import Storage

/// Customer order routes under `/api/v1/orders`.
struct OrdersController {
    let services: AppServices
    var workflow: OrderWorkflow { OrderWorkflow(services: services) }
    var idempotency: IdempotencyService { IdempotencyService(services: services) }

    func endpoints(_ group: RouterGroup<AuthenticatedContext>) {
        group.securedIdempotent(.post, "orders", .createOrder, idempotency: idempotency) { request, context in
            let body = try await request.decodeBody(CreateOrderRequest.self, context: context)
            let draft = try OrderDraft(
                    address: body.address, location: body.location.point, systemSizeKw: body.systemSizeKw,
                    panelCount: body.panelCount, roofType: body.roofType, preferredDate: body.preferredDate,
                    notes: body.notes, today: CalendarDate(utc: services.now())
                )
            return Created(value: OrderDTO(try await workflow.create(draft, customer: context.principal, audit: AuditContext(context))))
        }
        group.secured(.get, "orders", .listOwnOrders) { request, context in
            let limit = try request.query("limit", default: 20, in: 1...100)
            let offset = try request.query("offset", default: 0, in: 0...1_000_000)
            let customer = context.principal.accountID
            let orders = try await services.store.read { db in try db.orders(customerID: customer, limit: limit + 1, offset: offset) }
            return OrderPageDTO(items: orders.prefix(limit).map(OrderDTO.init), nextOffset: orders.count > limit ? offset + limit : nil)
        }
        group.secured(.get, "orders/:id", .readOwnOrder) { _, context in
            let id = try context.uuid("id")
            let order = try await services.store.read { [workflow] db in
                try workflow.load(id, for: context, .readOwnOrder, db: db) { $0.customerID }
            }
            return OrderDTO(order)
        }
        group.securedIdempotent(.post, "orders/:id/accept-quote", .acceptQuote, idempotency: idempotency) { _, context in
            OrderDTO(try await PaymentService(services: services).acceptQuote(try context.uuid("id"), context: context))
        }
        group.secured(.post, "orders/:id/cancel", .cancelOwnOrder) { _, context in
            OrderDTO(try await workflow.cancel(try context.uuid("id"), context: context, action: .cancelOwnOrder))
        }
    }
}
