@testable import App
import Foundation
import Storage
import Domain
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Synchronization
import Testing

@Suite("Order lifecycle over HTTP")
struct OrderFlowTests {
    @Test("customer orders, accepts the quote; a nearby installer accepts the offer; the job completes")
    func happyPath() async throws {
        let harness = try await TestHarness.make()
        let installer = try await harness.account(.installer)
        let farInstaller = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let installerToken = try await client.login(installer.email)
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: installerToken, json: TestBodies.installerProfile).status == .ok)
            // An installer in Barcelona: outside the Madrid site's reach.
            let farToken = try await client.login(farInstaller.email)
            let barcelona = #"{"serviceArea":{"latitude":41.3874,"longitude":2.1686,"radiusKm":100},"available":true,"certifications":[]}"#
            #expect(try await client.call(.put, "/api/v1/installer/profile", token: farToken, json: barcelona).status == .ok)

            let customer = try await client.customer()
            let created = try await client.call(.post, "/api/v1/orders", token: customer, json: TestBodies.order())
            #expect(created.status == .created)
            let order = try created.object()
            #expect(order["status"] as? String == "quoted")
            let quote = try #require(order["quote"] as? [String: Any])
            // 6.4 kW * 950 EUR + 16 panels * 60 EUR * 1.25 (tile) + 300 EUR = 6080 + 1200 + 300
            #expect(quote["totalCents"] as? Int == 758_000)
            #expect(quote["currency"] as? String == "EUR")
            let id = try #require(order["id"] as? String)

            let fetched = try await client.call(.get, "/api/v1/orders/\(id)", token: customer)
            #expect(fetched.status == .ok)

            let accepted = try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer)
            #expect(accepted.status == .ok)
            #expect(try accepted.object()["status"] as? String == "dispatching")

            let farOffers = try await client.call(.get, "/api/v1/installer/offers", token: farToken).object()["items"] as? [Any]
            #expect(farOffers?.isEmpty == true)

            let offers = try #require(try await client.call(.get, "/api/v1/installer/offers", token: installerToken).object()["items"] as? [[String: Any]])
            #expect(offers.count == 1)
            let offer = try #require(offers.first)
            #expect(offer["orderId"] as? String == id)
            // Before accepting, the installer sees the area only, not the street address.
            #expect(offer["address"] == nil)
            #expect(!(try await client.call(.get, "/api/v1/installer/offers", token: installerToken).text.contains("Calle Mayor")))

            let offerID = try #require(offer["id"] as? String)
            let job = try await client.call(.post, "/api/v1/installer/offers/\(offerID)/accept", token: installerToken)
            #expect(job.status == .ok)
            #expect(try job.object()["status"] as? String == "scheduled")

            let scheduled = try await client.call(.get, "/api/v1/orders/\(id)", token: customer).object()
            #expect(scheduled["status"] as? String == "scheduled")
            #expect((scheduled["installerId"] as? String)?.lowercased() == installer.id.uuidString.lowercased())

            let started = try await client.call(.post, "/api/v1/installer/jobs/\(id)/status", token: installerToken, json: #"{"status":"in_progress"}"#)
            #expect(try started.object()["status"] as? String == "in_progress")
            // Cancelling after work started is an invalid transition.
            #expect(try await client.call(.post, "/api/v1/orders/\(id)/cancel", token: customer).status == .conflict)
            let done = try await client.call(.post, "/api/v1/installer/jobs/\(id)/status", token: installerToken, json: #"{"status":"completed"}"#)
            #expect(try done.object()["status"] as? String == "completed")
        }
    }

    @Test("an invalid transition answers 409 and changes nothing")
    func invalidTransition() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            let id = try await client.order(customer)
            #expect(try await client.call(.post, "/api/v1/orders/\(id)/cancel", token: customer).status == .ok)
            let before = try await client.call(.get, "/api/v1/orders/\(id)", token: customer).object()
            let response = try await client.call(.post, "/api/v1/orders/\(id)/accept-quote", token: customer)
            #expect(response.status == .conflict)
            #expect(response.headers[.contentType] == "application/problem+json")
            #expect(try response.object()["type"] as? String == "/problems/invalid-transition")
            let after = try await client.call(.get, "/api/v1/orders/\(id)", token: customer).object()
            #expect(after["status"] as? String == "cancelled")
            #expect(after["updatedAt"] as? String == before["updatedAt"] as? String)
        }
    }

    @Test("cancelling withdraws open offers")
    func cancelWithdrawsOffers() async throws {
        let harness = try await TestHarness.make()
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let installerToken = try await client.login(installer.email)
            let (customer, id, offerID) = try await client.dispatchedOrder(installerToken: installerToken)
            #expect(try await client.call(.post, "/api/v1/orders/\(id)/cancel", token: customer).status == .ok)
            let after = try await client.call(.get, "/api/v1/installer/offers", token: installerToken).object()["items"] as? [Any]
            #expect(after?.isEmpty == true)
            #expect(try await client.call(.post, "/api/v1/installer/offers/\(offerID)/accept", token: installerToken).status == .conflict)
        }
    }

    @Test("an expired offer cannot be accepted")
    func expiredOffer() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(config: { $0.offerTTL = 120 }, now: { clock.now })
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            let installerToken = try await client.login(installer.email)
            let (customer, id, offerID) = try await client.dispatchedOrder(installerToken: installerToken)
            clock.advance(by: harness.services.config.offerTTL + 1)
            #expect(try await client.call(.post, "/api/v1/installer/offers/\(offerID)/accept", token: installerToken).status == .conflict)
            #expect(try await client.call(.get, "/api/v1/orders/\(id)", token: customer).object()["status"] as? String == "dispatching")
        }
    }

    @Test("orders are listed newest first with pagination")
    func pagination() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let customer = try await client.customer()
            for _ in 0..<3 { _ = try await client.order(customer) }
            let page = try await client.call(.get, "/api/v1/orders?limit=2", token: customer).object()
            #expect((page["items"] as? [Any])?.count == 2)
            #expect(page["nextOffset"] as? Int == 2)
            let rest = try await client.call(.get, "/api/v1/orders?limit=2&offset=2", token: customer).object()
            #expect((rest["items"] as? [Any])?.count == 1)
            #expect(rest["nextOffset"] == nil)
            #expect(try await client.call(.get, "/api/v1/orders?limit=1000", token: customer).status == .badRequest)
        }
    }
}

/// A settable clock for expiry tests.
final class TestClock: Sendable {
    private let value = Mutex(Date())
    var now: Date { value.withLock { $0 } }
    func advance(by seconds: TimeInterval) { value.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

@Suite("Installer access to the site")
struct InstallerAccessTests {
    @Test("the address and customer contact appear once the installer holds the job, and disappear N days after completion")
    func window() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(config: { $0.installerAccessDaysAfterCompletion = 7 }, now: { clock.now })
        let installer = try await harness.account(.installer)
        try await harness.app.test(.router) { client in
            // The installer's web dashboard, through a web login at the current time (one per
            // clock reading: each TOTP code works once).
            let sessions = Mutex<[Date: HTTPFields]>([:])
            func webJobs() async throws -> String {
                let now = clock.now
                var cookie = sessions.withLock { $0[now] }
                if cookie == nil {
                    cookie = try await WebStaffTests.session(client, installer.email, at: now)
                    sessions.withLock { $0[now] = cookie }
                }
                return try await client.call(.get, "/dashboard", headers: cookie!).text
            }
            let token = try await client.login(installer.email, at: clock.now)
            let (customer, id, offer) = try await client.dispatchedOrder(installerToken: token)
            let offers = try await client.call(.get, "/api/v1/installer/offers", token: token)
            #expect(!offers.text.contains("Calle Mayor") && !offers.text.contains("+34600123456"))
            #expect(!(try await webJobs()).contains("Calle Mayor"), "an offer on the web shows the area only")
            let held = try await client.call(.post, "/api/v1/installer/offers/\(offer)/accept", token: token).object()
            #expect((held["address"] as? [String: Any])?["line1"] as? String == "Calle Mayor 1")
            #expect(held["customerFirstName"] as? String == "Carla")
            #expect(held["customerPhone"] as? String == "+34600123456")
            #expect(try await webJobs().contains("Calle Mayor 1"), "scheduled: the web shows the site")
            _ = try await client.call(.post, "/api/v1/installer/jobs/\(id)/status", token: token, json: #"{"status":"in_progress"}"#)
            #expect(try await webJobs().contains("Calle Mayor 1"), "in progress: the web shows the site")
            _ = try await client.call(.post, "/api/v1/installer/jobs/\(id)/status", token: token, json: #"{"status":"completed"}"#)
            clock.advance(by: 6 * 86_400)
            let token2 = try await client.login(installer.email, at: clock.now)
            #expect(try await client.call(.get, "/api/v1/installer/jobs", token: token2).text.contains("Calle Mayor"))
            #expect(try await webJobs().contains("Calle Mayor 1"), "completed, inside the window: the web shows the site")
            clock.advance(by: 2 * 86_400)
            let token3 = try await client.login(installer.email, at: clock.now)
            let later = try await client.call(.get, "/api/v1/installer/jobs", token: token3)
            #expect(later.status == .ok)
            #expect(!later.text.contains("Calle Mayor") && !later.text.contains("+34600123456") && !later.text.contains("Carla"))
            #expect(later.text.contains("Madrid"))
            let web = try await webJobs()
            #expect(!web.contains("Calle Mayor") && !web.contains("+34600123456") && !web.contains("Carla"), "past the window: hidden on the web too")

            // A job cancelled after the installer took it: hidden on both surfaces.
            _ = customer
            let (other, second, secondOffer) = try await client.dispatchedOrder(installerToken: token3)
            _ = try await client.call(.post, "/api/v1/installer/offers/\(secondOffer)/accept", token: token3)
            #expect(try await client.call(.post, "/api/v1/orders/\(second)/cancel", token: other).status == .ok)
            let jobs = try await client.call(.get, "/api/v1/installer/jobs", token: token3)
            #expect(!jobs.text.contains("Calle Mayor"))
            #expect(!(try await webJobs()).contains("Calle Mayor"), "cancelled: hidden on the web too")
            #expect(later.text.contains("Madrid"))
        }
    }
}
