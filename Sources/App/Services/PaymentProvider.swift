public import Foundation
import Domain
import SolarSecurity

/// The payment provider behind deposits. Real providers (Stripe, Adyen) create a payment intent
/// the app completes with the customer, then confirm it with a signed webhook.
public protocol PaymentProvider: Sendable {
    /// Creates a deposit payment intent; returns the provider's intent id.
    func createDepositIntent(orderID: UUID, amountCents: Int64, currency: String) async throws -> String
}

/// A provider that behaves like the real ones without a network: intents get provider-style
/// ids, and confirmations are webhooks signed with the configured secret. With
/// `PAYMENT_AUTO_CONFIRM` (development and tests) the deposit is confirmed at once, through
/// the same verification as any webhook.
public struct SimulatedPaymentProvider: PaymentProvider {
    public init() {}

    public func createDepositIntent(orderID: UUID, amountCents: Int64, currency: String) async throws -> String {
        "pi_sim_" + UUID.random().uuidString.lowercased().replacingOccurrences(of: "-", with: "")
    }

    /// The signed `payment_intent.succeeded` event for `payment`: (body, `Solar-Signature` header).
    public static func confirmation(intentID: String, orderID: UUID, amountCents: Int64, currency: String,
                                    secret: String, now: Date) -> (body: Data, signature: String) {
        let event = PaymentEventBody(
            id: "evt_sim_" + UUID.random().uuidString.lowercased().replacingOccurrences(of: "-", with: ""), type: "payment_intent.succeeded",
            data: .init(intentId: intentID, orderId: orderID, amountCents: amountCents, currency: currency)
        )
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let body = (try? encoder.encode(event)) ?? Data()  // a fixed, encodable value: encoding cannot fail
        return (body, WebhookSignature.header(secret: secret, timestamp: Int64(now.timeIntervalSince1970), body: body))
    }
}

/// A payment provider's event, as the webhook receives it.
public struct PaymentEventBody: Codable, Sendable {
    public struct Payload: Codable, Sendable {
        public var intentId: String
        public var orderId: UUID
        public var amountCents: Int64
        public var currency: String
    }

    public var id: String
    public var type: String
    public var data: Payload
}
