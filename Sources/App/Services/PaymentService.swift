import Domain
import Foundation
import Hummingbird
import Logging
import NIOCore
import SolarSecurity
import Storage

/// Deposits: accepting a quote creates a deposit intent and leaves the order `accepted`; only a
/// verified webhook (signature over `timestamp.body` with one of the secrets, within 5 minutes,
/// an event id never seen, amount, currency and order matching the intent) moves it on to
/// `dispatching`. Refused events change nothing and are audited.
struct PaymentService: Sendable {
    let services: AppServices
    var workflow: OrderWorkflow { OrderWorkflow(services: services) }

    enum Refusal: String, Error {
        case unsigned, malformed, stale, badSignature = "bad-signature", unknownIntent = "unknown-intent"
        case replayed, mismatch, unsupported
    }

    /// `quoted -> accepted` with a deposit intent (created first, so a refused acceptance leaves
    /// only an unused intent at the provider, never an accepted order without one).
    func acceptQuote(_ id: UUID, context: AuthenticatedContext) async throws -> Order {
        try await ActionLimiter(services: services).check(.acceptQuote, accountKey: context.principal.accountID.uuidString, address: context.clientIP)
        let workflow = self.workflow
        let current = try await services.store.read { db in try workflow.load(id, for: context, .acceptQuote, db: db) { $0.customerID } }
        guard current.status == .quoted else { throw ApiError.invalidTransition }
        let amount = DepositPolicy.depositCents(forQuoteTotal: current.quote.totalCents), currency = current.quote.currency
        let intent = try await services.payments.createDepositIntent(orderID: id, amountCents: amount, currency: currency)
        let now = services.now(), audit = AuditContext(context)
        let accepted = try await services.store.write { db in
            var order = try workflow.load(id, for: context, .acceptQuote, db: db) { $0.customerID }
            try workflow.apply(.acceptQuote, to: &order, db: db, audit: audit, now: now)
            try db.insertPayment(DepositPayment(id: UUID.random(), orderID: id, intentID: intent, amountCents: amount, currency: currency, createdAt: now))
            try db.appendAudit(audit.event("payment.deposit.requested", at: now, target: ("order", id), detail: "\(amount) \(currency)"))
            return order
        }
        guard services.config.paymentAutoConfirm, let secret = services.config.paymentWebhookSecrets.first else { return accepted }
        let (body, signature) = SimulatedPaymentProvider.confirmation(intentID: intent, orderID: id, amountCents: amount, currency: currency,
                                                                      secret: secret, now: now)
        return try await receive(body: ByteBuffer(bytes: body), signature: signature, audit: AuditContext(actor: nil, clientIP: nil, requestID: context.requestID))
    }

    /// A webhook event: the order after it, or a refusal (audited, nothing changed).
    func receive(body: ByteBuffer, signature: String?, audit: AuditContext) async throws -> Order {
        let now = services.now()
        do {
            let event = try verify(body: body, signature: signature, now: now)
            let workflow = self.workflow
            return try await services.store.write { db in
                guard let payment = try db.payment(intentID: event.data.intentId) else { throw Refusal.unknownIntent }
                do {
                    try db.recordPaymentEvent(id: event.id, intentID: payment.intentID, at: now)
                } catch StorageError.conflict {
                    throw Refusal.replayed
                }
                guard event.type == "payment_intent.succeeded" else { throw Refusal.unsupported }
                guard event.data.orderId == payment.orderID, event.data.amountCents == payment.amountCents,
                      event.data.currency == payment.currency else { throw Refusal.mismatch }
                guard try db.markPaymentSucceeded(id: payment.id, at: now), var order = try db.order(id: payment.orderID) else {
                    throw Refusal.replayed
                }
                try db.appendAudit(audit.event("payment.deposit.confirmed", at: now, target: ("order", order.id),
                                               detail: "\(payment.amountCents) \(payment.currency) \(event.id)"))
                try workflow.apply(.beginDispatch, to: &order, db: db, audit: audit, now: now)
                return order
            }
        } catch let refusal as Refusal {
            try await services.store.write { db in
                try db.appendAudit(audit.event("payment.webhook.refused", at: now, outcome: .denied, detail: refusal.rawValue))
            }
            services.logger.warning("payment webhook refused", metadata: ["reason": .string(refusal.rawValue)])
            throw refusal == .replayed
                ? ApiError(.conflict, "webhook-event-replayed", "This event was already processed.")
                : ApiError(.badRequest, "webhook-refused", "The event was refused.")
        }
    }

    func verify(body: ByteBuffer, signature: String?, now: Date) throws(Refusal) -> PaymentEventBody {
        do {
            try WebhookSignature(secrets: services.config.paymentWebhookSecrets).verify(header: signature, body: body.readableBytesView, now: now)
        } catch {
            switch error {
            case .missing: throw .unsigned
            case .malformed: throw .malformed
            case .stale: throw .stale
            case .mismatch: throw .badSignature
            }
        }
        guard let json = try? StrictJSON.parse(body.readableBytesView), case .object = json,
              let event = try? JSONDecoder().decode(PaymentEventBody.self, from: json.serialized),
              (1...255).contains(event.id.utf8.count), (1...255).contains(event.data.intentId.utf8.count) else { throw .malformed }
        return event
    }
}
