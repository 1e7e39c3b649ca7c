import Domain
import Foundation
import Storage
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SolarSecurity

/// Runs order lifecycle events inside a transaction: the state machine decides, the
/// conditional update makes a concurrent change lose, and the side effects and audit
/// events are written in the same transaction.
struct OrderWorkflow: Sendable {
    let services: AppServices

    /// Applies `event` to `order` and performs the resulting actions. Throws 409 when the
    /// event is not allowed in the current state or the order changed concurrently.
    func apply(_ event: OrderStateMachine.Event, to order: inout Order, db: any StoreAccess, audit: AuditContext, now: Date, detail: String? = nil) throws {
        var machine = OrderStateMachine(state: order.status)
        let action: OrderStateMachine.Action
        do {
            action = try machine.handle(event)
        } catch {
            throw ApiError.invalidTransition
        }
        let previous = order.status
        order.status = machine.state
        order.updatedAt = now
        guard try db.updateOrder(order, expectedStatus: previous) else { throw ApiError.invalidTransition }
        switch action {
        case .none: break
        case .createOffers:
            let offers = services.planner.offers(
                orderID: order.id, site: order.location, candidates: try db.availableInstallerProfiles(), now: now, makeID: { UUID.random() }
            )
            for offer in offers { try db.insertOffer(offer) }
        case .withdrawOpenOffers:
            try db.closeOpenOffers(orderID: order.id, status: .withdrawn)
        }
        let text = "\(previous.rawValue)->\(order.status.rawValue)" + (detail.map { " " + $0 } ?? "")
        try db.appendAudit(audit.event("order.transition", at: now, target: ("order", order.id), detail: text))
    }

    /// Creates an order from a validated draft and prices it (`requested -> quoted`).
    func create(_ draft: OrderDraft, customer: Principal, audit: AuditContext) async throws -> Order {
        try await ActionLimiter(services: services).check(.createOrder, accountKey: customer.accountID.uuidString, address: audit.clientIP)
        let now = services.now()
        let order = Order(
            id: UUID.random(), customerID: customer.accountID, status: .requested, address: draft.address, location: draft.location,
            spec: draft.spec, preferredDate: draft.preferredDate, notes: draft.notes, quote: services.pricing.quote(for: draft.spec),
            installerID: nil, scheduledDate: nil, createdAt: now, updatedAt: now
        )
        let created = order
        return try await services.store.write { [self] db in
            var order = created
            try db.insertOrder(order)
            try db.appendAudit(audit.event("order.create", at: now, target: ("order", order.id)))
            try apply(.quote, to: &order, db: db, audit: audit, now: now)
            return order
        }
    }

    /// Loads an order for `action`, applying the ownership rule of the policy.
    func load(_ id: UUID, for context: AuthenticatedContext, _ action: Action, db: any StoreAccess, owner: (Order) -> UUID?) throws -> Order {
        guard let order = try db.order(id: id) else { throw ApiError.notFound }
        try context.authorize(action, .account(owner(order)), target: ("order", id))
        return order
    }

    /// Cancels an order (customer: own orders; support: any) before work starts.
    func cancel(_ id: UUID, context: AuthenticatedContext, action: Action, reason: String? = nil) async throws -> Order {
        let now = services.now()
        let audit = AuditContext(context)
        return try await services.store.write { [self] db in
            var order = try load(id, for: context, action, db: db) { $0.customerID }
            try apply(.cancel, to: &order, db: db, audit: audit, now: now, detail: reason.map { "reason: \($0)" })
            return order
        }
    }
}
