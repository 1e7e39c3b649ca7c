@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import SolarSecurity
import Storage
import Testing

@Suite("Deposits and signed payment webhooks")
struct PaymentWebhookTests {
    static let secret = String(repeating: "a", count: 32) + "-current"
    static let previous = String(repeating: "b", count: 32) + "-previous"
    static let signature = HTTPField.Name("Solar-Signature")!

    /// A harness where deposits wait for a webhook (no auto-confirm), with two secrets (rotation).
    static func harness() async throws -> TestHarness {
        try await TestHarness.make(config: { $0.paymentAutoConfirm = false; $0.paymentWebhookSecrets = [secret, previous] })
    }

    /// An accepted order waiting for its deposit: (customer token, order id, its payment).
    static func awaitingDeposit(_ harness: TestHarness, _ client: some TestClientProtocol) async throws -> (String, UUID, DepositPayment) {
        let customer = try await client.customer()
        let id = try await client.order(customer)
        let accepted = try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer)
        let status = try accepted.object()["status"] as? String
        #expect(accepted.status == .ok && status == "accepted")
        let orderID = try #require(UUID(uuidString: id))
        let payment = try #require(try await harness.services.store.read { db in try db.payment(orderID: orderID) })
        return (customer, orderID, payment)
    }

    static func event(_ p: DepositPayment, id: String = "evt_\(UUID().uuidString)", amount: Int64? = nil, currency: String? = nil,
                      order: UUID? = nil, type: String = "payment_intent.succeeded") -> String {
        #"{"id":"\#(id)","type":"\#(type)","data":{"intentId":"\#(p.intentID)","orderId":"\#((order ?? p.orderID).uuidString)","amountCents":\#(amount ?? p.amountCents),"currency":"\#(currency ?? p.currency)"}}"#
    }

    static func post(_ client: some TestClientProtocol, _ body: String, secret: String? = PaymentWebhookTests.secret,
                     at time: Date = Date(), header: String? = nil) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/json"]
        if let header { headers[signature] = header } else if let secret {
            headers[signature] = WebhookSignature.header(secret: secret, timestamp: Int64(time.timeIntervalSince1970), body: Data(body.utf8))
        }
        return try await client.execute(uri: "/api/v1/webhooks/payments", method: .post, headers: headers, body: ByteBuffer(string: body))
    }

    static func status(_ harness: TestHarness, _ id: UUID) async throws -> OrderStatus? {
        try await harness.services.store.read { db in try db.order(id: id)?.status }
    }

    @Test("accepting a quote asks for a 20 % deposit and waits; the signed webhook moves the order to dispatching once")
    func confirmed() async throws {
        let harness = try await Self.harness()
        try await harness.app.test(.router) { client in
            let (_, id, payment) = try await Self.awaitingDeposit(harness, client)
            let order = try await harness.services.store.read { db in try db.order(id: id) }
            let total = try #require(order).quote.totalCents
            #expect(payment.status == .pending && payment.amountCents == DepositPolicy.depositCents(forQuoteTotal: total))
            let body = Self.event(payment)
            let first = try await Self.post(client, body)
            #expect(first.status == .ok)
            #expect(try await Self.status(harness, id) == .dispatching)
            // The same event again (a provider retry, or a replay): refused, nothing moves twice.
            let again = try await Self.post(client, body)
            #expect(again.status == .conflict)
            let transitions = try await harness.database.withConnection { conn in
                try conn.query("SELECT COUNT(*) AS n FROM audit_events WHERE action = 'order.transition' AND detail LIKE 'accepted->dispatching%'", [])
            }
            let count = try transitions.first?.int("n")
            #expect(count == 1)
            // A second, different event for the paid intent moves nothing either.
            #expect(try await Self.post(client, Self.event(payment)).status == .conflict)
        }
    }

    @Test("a webhook signed with the previous secret (rotation) is accepted")
    func rotation() async throws {
        let harness = try await Self.harness()
        try await harness.app.test(.router) { client in
            let (_, id, payment) = try await Self.awaitingDeposit(harness, client)
            #expect(try await Self.post(client, Self.event(payment), secret: Self.previous).status == .ok)
            #expect(try await Self.status(harness, id) == .dispatching)
        }
    }

    @Test("forged, unsigned, stale and mismatched events are refused, change nothing and are audited")
    func refused() async throws {
        let harness = try await Self.harness()
        try await harness.app.test(.router) { client in
            let (_, id, payment) = try await Self.awaitingDeposit(harness, client)
            let cases: [(String, TestResponse)] = [
                ("bad-signature", try await Self.post(client, Self.event(payment), secret: String(repeating: "z", count: 40))),
                ("unsigned", try await Self.post(client, Self.event(payment), secret: nil)),
                ("stale", try await Self.post(client, Self.event(payment), at: Date().addingTimeInterval(-301))),
                ("malformed", try await Self.post(client, Self.event(payment), header: "v1=abc")),
                ("mismatch", try await Self.post(client, Self.event(payment, amount: payment.amountCents - 1))),
                ("mismatch", try await Self.post(client, Self.event(payment, currency: "USD"))),
                ("mismatch", try await Self.post(client, Self.event(payment, order: UUID()))),
                ("unsupported", try await Self.post(client, Self.event(payment, type: "payment_intent.payment_failed"))),
            ]
            for (reason, response) in cases {
                #expect(response.status == .badRequest, "\(reason)")
                #expect(!response.text.contains(reason), "the answer names no reason")
            }
            // A body changed after signing fails the signature.
            let body = Self.event(payment)
            let header = WebhookSignature.header(secret: Self.secret, timestamp: Int64(Date().timeIntervalSince1970), body: Data(body.utf8))
            let tampered = body.replacingOccurrences(of: "\(payment.amountCents)", with: "1")
            #expect(try await Self.post(client, tampered, header: header).status == .badRequest)

            #expect(try await Self.status(harness, id) == .accepted)
            #expect(try await harness.services.store.read { db in try db.payment(orderID: id) }?.status == .pending)
            let audited = try await harness.database.withConnection { conn in
                try conn.query("SELECT detail FROM audit_events WHERE action = 'payment.webhook.refused'", []).map { try $0.string("detail") }
            }
            #expect(Set(audited) == ["bad-signature", "unsigned", "stale", "malformed", "mismatch", "unsupported"])
            #expect(audited.count == 9)
            // The genuine event still works afterwards: the refusals recorded no event id.
            #expect(try await Self.post(client, Self.event(payment)).status == .ok)
        }
    }

    @Test("in development the simulated provider confirms through the same verification at once")
    func simulatedAutoConfirm() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            let id = try await client.order(customer)
            let accepted = try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer)
            let status = try accepted.object()["status"] as? String
            #expect(status == "dispatching")
        }
        let actions = try await harness.database.withConnection { conn in
            try conn.query("SELECT action FROM audit_events ORDER BY seq", []).map { try $0.string("action") }
        }
        #expect(actions.contains("payment.deposit.requested") && actions.contains("payment.deposit.confirmed"))
    }
}
