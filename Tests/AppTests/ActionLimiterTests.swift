@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Anti-automation: per-account and per-address limits in the database, 429 with Retry-After")
struct ActionLimiterTests {
    @Test("an account past its hourly order limit gets 429 with Retry-After and nothing is created; another account is unaffected")
    func perAccount() async throws {
        let harness = try await TestHarness.make(config: { $0.rateLimits[.createOrder] = .init(perAccount: 2, perAddress: nil) })
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            _ = try await client.order(token)
            _ = try await client.order(token)
            let third = try await client.call(.post, "/api/v1/orders", token: token, json: TestBodies.order(latitude: 40.4168, longitude: -3.7038))
            #expect(third.status == .tooManyRequests)
            #expect(try third.object()["type"] as? String == "/problems/rate-limited")
            let retry = try #require(third.headers[.retryAfter].flatMap(Int.init))
            #expect((1...3600).contains(retry))
            let listed = try await client.call(.get, "/api/v1/orders", token: token).object()["items"] as? [Any]
            #expect(listed?.count == 2)
            _ = try await client.order(try await client.customer())
        }
    }

    @Test("signups and reveals are limited per client address and per staff account")
    func perAddressAndReveals() async throws {
        let harness = try await TestHarness.make(config: {
            $0.rateLimits[.signup] = .init(perAccount: nil, perAddress: 2)
            $0.rateLimits[.reveal] = .init(perAccount: 1, perAddress: nil)
        })
        let auth = AuthService(services: harness.services)
        let from = AuditContext(actor: nil, clientIP: "203.0.113.7", requestID: nil)
        for i in 0..<2 {
            try await auth.signup(SignupRequest(email: "limited\(i)@example.com", password: "correct horse battery", name: "L", phone: "+34600123456"), audit: from)
        }
        await #expect(throws: ApiError.self) {
            try await auth.signup(SignupRequest(email: "limited9@example.com", password: "correct horse battery", name: "L", phone: "+34600123456"), audit: from)
        }
        try await auth.signup(SignupRequest(email: "other@example.com", password: "correct horse battery", name: "L", phone: "+34600123456"),
                              audit: AuditContext(actor: nil, clientIP: "203.0.113.8", requestID: nil))
        #expect(try await harness.services.store.read { db in try db.account(email: "limited9@example.com") } == nil)

        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            _ = try await client.customer("revealed@example.com")
            let token = try await client.login(support.email)
            let id = try #require((try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: #"{"query":"revealed@example.com"}"#)
                .object()["items"] as? [[String: Any]])?.first?["id"] as? String)
            let reason = #"{"reason":"customer called about the date, SUP-1"}"#
            #expect(try await client.call(.post, "/api/v1/staff/customers/\(id)/reveal", token: token, json: reason).status == .ok)
            #expect(try await client.call(.post, "/api/v1/staff/customers/\(id)/reveal", token: token, json: reason).status == .tooManyRequests)
        }
    }

    @Test("RATE_LIMITS parses per-account and per-address entries and refuses anything else")
    func parse() throws {
        let limits = try #require(ActionLimiter.parse("reveal=5, signup@address=3"))
        #expect(limits[.reveal]?.perAccount == 5 && limits[.signup]?.perAddress == 3)
        #expect(limits[.createOrder] == ActionLimiter.defaults[.createOrder])
        for bad in ["bogus=1", "reveal=0", "reveal", "reveal=x", "signup@address=2000000"] { #expect(ActionLimiter.parse(bad) == nil, "\(bad)") }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["RATE_LIMITS": "reveal=none"]) }
    }
}
