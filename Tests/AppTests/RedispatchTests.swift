@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Re-dispatch: orders nobody accepted go to the next nearest installers")
struct RedispatchTests {
    static let nearest = #"{"serviceArea":{"latitude":40.4168,"longitude":-3.7038,"radiusKm":30},"available":true,"certifications":[]}"#

    func offers(_ client: some TestClientProtocol, _ token: String) async throws -> [[String: Any]] {
        try #require(try await client.call(.get, "/api/v1/installer/offers", token: token).object()["items"] as? [[String: Any]])
    }

    @Test("when the offer expires unanswered the next nearest installer gets it, never the same one twice")
    func nextNearest() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(config: { $0.maxOffersPerOrder = 1; $0.offerTTL = 300 }, now: { clock.now })
        let sweeper = DispatchSweeper(services: harness.services)
        let first = try await harness.account(.installer), second = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let firstToken = try await client.login(first.email, at: clock.now)
            let secondToken = try await client.login(second.email, at: clock.now)
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: firstToken, json: Self.nearest).status == .ok)
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: secondToken, json: TestBodies.installerProfile).status == .ok)
            let customer = try await client.customer()
            let id = try await client.order(customer)
            #expect(try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer).status == .ok)
            let firstOffer = try #require(try await offers(client, firstToken).first?["id"] as? String)
            #expect(try await offers(client, secondToken).isEmpty)

            // While the offer is open the sweep leaves the order alone.
            #expect(await sweeper.sweep() == .init(reoffered: 0, stalled: 0))
            #expect(try await offers(client, secondToken).isEmpty)

            clock.advance(by: 301)
            #expect(await sweeper.sweep() == .init(reoffered: 1, stalled: 0))
            #expect(try await offers(client, firstToken).isEmpty)
            let secondOffer = try #require(try await offers(client, secondToken).first)
            #expect(secondOffer["orderId"] as? String == id)
            #expect(try await client.call(.post, "/api/v1/installer/offers/\(firstOffer)/accept", token: firstToken).status == .conflict)

            // The second offer also runs out: nobody is left, and the first installer is not asked again.
            clock.advance(by: 301)
            #expect(await sweeper.sweep() == .init(reoffered: 0, stalled: 1))
            #expect(try await offers(client, firstToken).isEmpty)
            #expect(try await offers(client, secondToken).isEmpty)
            #expect(harness.services.metrics.exposition().contains("solar_dispatch_stalled_orders 1"))
            let events = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
            #expect(events.filter { $0.action == "dispatch.reoffer" && $0.targetID?.uuidString.lowercased() == id.lowercased() }.count == 1)
            #expect(events.filter { $0.action == "dispatch.stalled" }.count == 1)
            // A later sweep that still finds nobody writes no further event.
            #expect(await sweeper.sweep() == .init(reoffered: 0, stalled: 1))
            let after = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
            #expect(after.filter { $0.action == "dispatch.stalled" }.count == 1)
        }
    }

    @Test("an order that found no installer is offered as soon as one becomes available; closed orders are left alone")
    func laterInstaller() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        let sweeper = DispatchSweeper(services: harness.services)
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            let waiting = [try await client.order(customer), try await client.order(customer)]
            let cancelled = try await client.order(customer)
            for id in waiting + [cancelled] {
                #expect(try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer).status == .ok)
            }
            #expect(try await client.call(.post, "/api/v1/orders/\(cancelled)/cancel", token: customer).status == .ok)
            // Pages of one: the sweep still reaches every waiting order.
            #expect(await sweeper.sweep(batch: 1) == .init(reoffered: 0, stalled: 2))

            let token = try await client.login(installer.email, at: clock.now)
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: token, json: TestBodies.installerProfile).status == .ok)
            #expect(await sweeper.sweep(batch: 1) == .init(reoffered: 2, stalled: 0))
            let offered = try await offers(client, token).compactMap { ($0["orderId"] as? String)?.lowercased() }
            #expect(Set(offered) == Set(waiting.map { $0.lowercased() }))
            #expect(try await client.call(.get, "/api/v1/orders/\(cancelled)", token: customer).object()["status"] as? String == "cancelled")
            #expect(await sweeper.sweep() == .init(reoffered: 0, stalled: 0))
        }
    }

    @Test("an order the sweep cannot read does not stop it for the others")
    func failingOrderIsolated() async throws {
        let harness = try await TestHarness.make()
        let sweeper = DispatchSweeper(services: harness.services)
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            let broken = try await client.order(customer), fine = try await client.order(customer)
            for id in [broken, fine] {
                #expect(try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer).status == .ok)
            }
            // The site ciphertext no longer decrypts (as after a lost key): reading that order fails.
            try await harness.database.withConnection { conn in
                try conn.execute("UPDATE orders SET site_ciphertext = 'v1:test1:AAAA' WHERE id = ?", [.text(broken.lowercased())])
            }
            let token = try await client.login(installer.email)
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: token, json: TestBodies.installerProfile).status == .ok)
            #expect(await sweeper.sweep(batch: 1) == .init(reoffered: 1, stalled: 0))
            let offered = try await offers(client, token).compactMap { ($0["orderId"] as? String)?.lowercased() }
            #expect(offered == [fine.lowercased()])
            #expect(harness.logs.lines.contains { $0.contains("dispatch sweep skipped an order") })
        }
    }
}
