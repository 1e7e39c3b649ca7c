@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Dispatch: first installer to accept wins")
struct DispatchRaceTests {
    @Test("parallel accepts by several installers over real HTTP produce exactly one winner")
    func parallelAccepts() async throws {
        let harness = try await TestHarness.make()
        var created: [Account] = []
        for _ in 0..<5 { created.append(try await harness.account(.installer)) }
        let installers = created
        try await harness.app.test(.live) { client in
            var tokens: [String] = []
            for installer in installers {
                let token = try await client.login(installer.email)
                #expect(try await client.call(.put, "/api/v1/installer/profile", token: token, json: TestBodies.installerProfile).status == .ok)
                tokens.append(token)
            }
            let customer = try await client.customer()
            let id = try await client.order(customer)
            _ = try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer)
            var offerIDs: [String] = []
            for token in tokens {
                let items = try await client.call(.get, "/api/v1/installer/offers", token: token).object()["items"] as? [[String: Any]]
                offerIDs.append(try #require(items?.first?["id"] as? String))
            }
            // Each installer fires twice at once: 10 concurrent requests.
            let statuses = try await withThrowingTaskGroup(of: (Int, HTTPResponse.Status).self) { group in
                for round in 0..<2 {
                    for (i, token) in tokens.enumerated() {
                        let offer = offerIDs[i]
                        group.addTask {
                            (i + 0 * round, try await client.call(.post, "/api/v1/installer/offers/\(offer)/accept", token: token).status)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let winners = statuses.filter { $0.1 == .ok }
            #expect(winners.count == 1)
            #expect(statuses.filter { $0.1 == .conflict }.count == statuses.count - 1)
            let winner = try #require(winners.first).0
            let order = try await client.call(.get, "/api/v1/orders/\(id)", token: customer).object()
            #expect(order["status"] as? String == "scheduled")
            #expect((order["installerId"] as? String)?.lowercased() == installers[winner].id.uuidString.lowercased())
        }
        let transitions = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
            .filter { $0.detail?.hasPrefix("dispatching->scheduled") == true }
        #expect(transitions.count == 1)
    }
}
