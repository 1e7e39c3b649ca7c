@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Security events: refusals that are only error answers are counted, audited and logged, rate-limited")
struct SecurityEventTests {
    func events(_ harness: TestHarness, _ action: String) async throws -> [AuditEvent] {
        try await harness.services.store.read { db in try db.auditEvents(limit: 200, offset: 0, actionPrefix: action, outcome: nil) }
    }

    @Test("cross-site posts, unsigned webhooks and throttled logins are audited once a minute per client and counted every time")
    func refusals() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            for _ in 0..<3 {
                let r = try await client.call(.post, "/login", json: "email=a%40example.com&password=x",
                                              headers: [.contentType: "application/x-www-form-urlencoded", .origin: "https://attacker.example",
                                                        HTTPField.Name("Sec-Fetch-Site")!: "cross-site"])
                #expect(r.status == .forbidden)
                let hook = try await client.call(.post, "/api/v1/webhooks/payments", json: #"{"id":"evt_x","type":"payment.succeeded"}"#)
                #expect(hook.status == .badRequest)
            }
            _ = try await client.customer("throttled@example.com")
            var statuses: [HTTPResponse.Status] = []
            for _ in 0..<7 {
                statuses.append(try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"throttled@example.com","password":"wrong password here"}"#).status)
            }
            #expect(statuses.filter { $0 == .tooManyRequests }.count >= 1)
        }
        #expect(try await events(harness, SecurityEvents.Kind.crossSite.rawValue).count == 1)
        #expect(try await events(harness, SecurityEvents.Kind.webhook.rawValue).count == 1)
        #expect(try await events(harness, SecurityEvents.Kind.throttled.rawValue).count == 1)
        let text = harness.services.metrics.exposition()
        #expect(text.contains(#"solar_security_events_total{kind="security.cross_site_refused"} 3"#))
        #expect(text.contains(#"solar_security_events_total{kind="security.webhook_refused"} 3"#))
    }

    @Test("a burst of invalid requests from one client is audited once; a few are not")
    func invalidBurst() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            for _ in 0..<(SecurityEvents.validationBurst - 1) {
                let status = try await client.call(.post, "/api/v1/auth/login", json: "{").status
                #expect(status == .badRequest)
            }
        }
        #expect(try await events(harness, SecurityEvents.Kind.validation.rawValue).isEmpty)
        try await harness.app.test(.router) { client in
            for _ in 0..<5 { _ = try await client.call(.post, "/api/v1/auth/signup", json: #"{"email":"x"}"#) }
        }
        let burst = try await events(harness, SecurityEvents.Kind.validation.rawValue)
        #expect(burst.count == 1)
        #expect(burst.first?.outcome == .denied)
    }

    @Test("the limiter records once per kind and client within the quiet period, and again after it")
    func limiter() {
        let events = SecurityEvents()
        let now = Date(timeIntervalSince1970: 1_900_000_000)
        #expect(events.shouldRecord(.crossSite, client: "203.0.113.1", now: now))
        #expect(!events.shouldRecord(.crossSite, client: "203.0.113.1", now: now.addingTimeInterval(30)))
        #expect(events.shouldRecord(.crossSite, client: "203.0.113.2", now: now.addingTimeInterval(30)))
        #expect(events.shouldRecord(.webhook, client: "203.0.113.1", now: now.addingTimeInterval(30)))
        #expect(events.shouldRecord(.crossSite, client: "203.0.113.1", now: now.addingTimeInterval(61)))
        // A flood from many addresses does not grow the memory past its bound.
        let flood = SecurityEvents()
        for i in 0..<(SecurityEvents.maxTracked + 50) {
            _ = flood.shouldRecord(.throttled, client: "c\(i)", now: now)
            _ = flood.countInvalid(client: "c\(i)", now: now)
        }
        #expect(flood.tracked <= 2 * SecurityEvents.maxTracked)
    }

    @Test("an unhandled error answers a bare 500 and is counted, so the internal-failure alert fires")
    func unhandledCounted() async throws {
        struct Boom: Error {}
        let harness = try await TestHarness.make()
        let router = Router(context: AppRequestContext.self)
        router.add(middleware: ProblemMiddleware(services: harness.services, web: try WebSupport(config: harness.services.config)))
        router.get("api/v1/boom") { _, _ -> String in throw Boom() }
        try await Application(router: router).test(.router) { client in
            let response = try await client.execute(uri: "/api/v1/boom", method: .get)
            #expect(response.status == .internalServerError)
            #expect(!String(buffer: response.body).contains("Boom"))
        }
        #expect(harness.services.metrics.exposition().contains(#"solar_internal_failures_total{operation="unhandled"} 1"#))
    }
}
