@testable import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Idempotency-Key on retried writes")
struct IdempotencyTests {
    static func key(_ value: String) -> HTTPFields { [HTTPField.Name("Idempotency-Key")!: value] }

    static func orderCount(_ harness: TestHarness, _ token: String, _ client: some TestClientProtocol) async throws -> Int {
        (try await client.call(.get, "/api/v1/orders?limit=100", token: token).object()["items"] as? [Any])?.count ?? -1
    }

    @Test("a retried order creation with the same key creates one order and returns the first answer")
    func retriedCreation() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            let first = try await client.call(.post, "/api/v1/orders", token: customer, json: TestBodies.order(), headers: Self.key("k-1"))
            let retry = try await client.call(.post, "/api/v1/orders", token: customer, json: TestBodies.order(), headers: Self.key("k-1"))
            #expect(first.status == .created && retry.status == .created)
            #expect(try retry.object()["id"] as? String == first.object()["id"] as? String)
            #expect(retry.headers[HTTPField.Name("Idempotent-Replayed")!] == "true")
            #expect(first.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)
            #expect(try await Self.orderCount(harness, customer, client) == 1)

            // The same key for another request is refused and changes nothing.
            let other = try await client.call(.post, "/api/v1/orders", token: customer, json: TestBodies.order(size: 8.0), headers: Self.key("k-1"))
            #expect(other.status == .conflict && other.text.contains("idempotency-key-reused"))
            // Without a key every call is a new order; another key is another order.
            _ = try await client.call(.post, "/api/v1/orders", token: customer, json: TestBodies.order())
            _ = try await client.call(.post, "/api/v1/orders", token: customer, json: TestBodies.order(), headers: Self.key("k-2"))
            #expect(try await Self.orderCount(harness, customer, client) == 3)
        }
    }

    @Test("concurrent retries with one key create exactly one order")
    func concurrentRetries() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await client.call(.post, "/api/v1/orders", token: customer, json: TestBodies.order(), headers: Self.key("burst")).status.code
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            // Each answer is the order (first or replayed) or "still in progress"; never a second order.
            #expect(statuses.allSatisfy { $0 == 201 || $0 == 409 } && statuses.contains(201))
            #expect(try await Self.orderCount(harness, customer, client) == 1)
        }
    }

    @Test("keys belong to one account; a failed request keeps nothing; bad keys are 400")
    func scopeAndFailures() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let ana = try await client.customer(), bob = try await client.customer()
            let a = try await client.call(.post, "/api/v1/orders", token: ana, json: TestBodies.order(), headers: Self.key("shared"))
            let b = try await client.call(.post, "/api/v1/orders", token: bob, json: TestBodies.order(), headers: Self.key("shared"))
            #expect(a.status == .created && b.status == .created)
            #expect(try a.object()["id"] as? String != b.object()["id"] as? String)

            // 422 is not kept: the corrected request may use the same key.
            let invalid = try await client.call(.post, "/api/v1/orders", token: ana, json: TestBodies.order(panels: 0), headers: Self.key("fix-me"))
            #expect(invalid.status == .unprocessableContent)
            let fixed = try await client.call(.post, "/api/v1/orders", token: ana, json: TestBodies.order(), headers: Self.key("fix-me"))
            #expect(fixed.status == .created && fixed.headers[HTTPField.Name("Idempotent-Replayed")!] == nil)

            for bad in [String(repeating: "k", count: 256), "has space", "ключ"] {
                let r = try await client.call(.post, "/api/v1/orders", token: ana, json: TestBodies.order(), headers: Self.key(bad))
                #expect(r.status == .badRequest)
            }
            #expect(try await Self.orderCount(harness, ana, client) == 2)
        }
    }

    @Test("a retried quote acceptance gets the first answer instead of 409; the stored answer is encrypted")
    func retriedAcceptance() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            let id = try await client.order(customer)
            let first = try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer, headers: Self.key("accept-\(id)"))
            let retry = try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer, headers: Self.key("accept-\(id)"))
            #expect(first.status == .ok && retry.status == .ok)
            #expect(try retry.object()["status"] as? String == first.object()["status"] as? String)
            #expect(try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer).status == .conflict)
        }
        let rows = try await harness.database.withConnection { conn in try conn.query("SELECT body FROM idempotency_keys", []) }
        #expect(!rows.isEmpty)
        for row in rows {
            let body = try row.string("body")
            #expect(!body.contains("Calle Mayor") && !body.contains("dispatching"))
        }
    }
}
