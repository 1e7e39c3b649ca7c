@testable import App
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Outbound
import SolarSecurity
import Storage
import Synchronization
import Testing

@Suite("Breached-password check on signup")
struct BreachedPasswordTests {
    struct Down: Error {}

    static func signup(_ client: some TestClientProtocol, _ email: String) async throws -> TestResponse {
        try await client.call(.post, "/api/v1/auth/signup", json: #"{"email":"\#(email)","password":"correct horse battery","name":"Bea","phone":"+34600123456"}"#)
    }

    static func exists(_ harness: TestHarness, _ email: String) async throws -> Bool {
        try await harness.services.store.read { db in try db.account(email: email) } != nil
    }

    @Test("a password the range API lists is refused with 422 and creates nothing")
    func breached() async throws {
        // SHA-1("correct horse battery") = 98DECC62ECE399A22ED30D490EF333BE7FDE7385: the API gets the prefix, lists the suffix.
        let checker = BreachedPasswords(mode: .failClosed) { url in
            #expect(url.lastPathComponent == "98DEC")
            return "0018A45C4D1DEF81644B54AB7F969B88D65:3\r\nC62ECE399A22ED30D490EF333BE7FDE7385:42\r\n"
        }
        let harness = try await TestHarness.make(breached: checker)
        try await harness.app.test(.router) { client in
            let response = try await Self.signup(client, "bea@example.com")
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("breach"))
        }
        #expect(try await !Self.exists(harness, "bea@example.com"))
    }

    /// Stands in for the network behind the outbound client: records what it was asked to send.
    final class RangeAPI: OutboundTransport {
        let sent = Mutex<[(url: String, target: OutboundClient.Target)]>([])

        func send(_ request: OutboundRequest, to target: OutboundClient.Target, policy: OutboundPolicy) async throws(OutboundError) -> OutboundResponse {
            sent.withLock { $0.append((request.url, target)) }
            return OutboundResponse(status: 200, body: Array("C62ECE399A22ED30D490EF333BE7FDE7385:42\r\n".utf8))
        }
    }

    struct FixedDNS: HostResolver {
        func resolve(_ host: String) async throws -> [[UInt8]] { host == "api.pwnedpasswords.com" ? [[104, 16, 1, 1]] : [[10, 0, 0, 1]] }
    }

    @Test("the configured check goes through the outbound client (allow-list, vetted and pinned address)")
    func throughTheOutboundClient() async throws {
        let api = RangeAPI()
        let outbound = OutboundClient(policy: OutboundPolicy(allowedHosts: ["api.pwnedpasswords.com"]), resolver: FixedDNS(), transport: api)
        let harness = try await TestHarness.make(config: { $0.pwnedPasswords = "fail-closed" }, breached: nil, outbound: outbound)
        try await harness.app.test(.router) { client in
            let response = try await Self.signup(client, "bea@example.com")
            #expect(response.status == .unprocessableContent)
        }
        let sent = api.sent.withLock { $0 }
        #expect(sent.map(\.url) == ["https://api.pwnedpasswords.com/range/98DEC"])
        #expect(sent.map(\.target.address) == ["104.16.1.1"])

        // A range URL on a private address never reaches the network: fail-closed answers 503.
        let inside = try await TestHarness.make(config: {
            $0.pwnedPasswords = "fail-closed"
            $0.pwnedPasswordsURL = "https://ranges.internal/range/"
        }, breached: nil, outbound: OutboundClient(policy: OutboundPolicy(allowedHosts: ["ranges.internal"]), resolver: FixedDNS(), transport: api))
        try await inside.app.test(.router) { client in
            let response = try await Self.signup(client, "cy@example.com")
            #expect(response.status == .serviceUnavailable)
        }
        #expect(api.sent.withLock { $0.count } == 1)
        #expect(inside.services.metrics.exposition().contains("solar_internal_failures_total{operation=\"breached_passwords\"} 1"))
    }

    @Test("when the service is down: fail-closed answers 503 and creates nothing, fail-open lets the signup through")
    func serviceDown() async throws {
        let closed = try await TestHarness.make(breached: BreachedPasswords(mode: .failClosed) { _ in throw Down() })
        try await closed.app.test(.router) { client in
            let response = try await Self.signup(client, "closed@example.com")
            #expect(response.status == .serviceUnavailable)
            #expect(response.text.contains("password-check-unavailable"))
        }
        #expect(try await !Self.exists(closed, "closed@example.com"))

        let open = try await TestHarness.make(breached: BreachedPasswords(mode: .failOpen) { _ in throw Down() })
        try await open.app.test(.router) { client in
            let response = try await Self.signup(client, "open@example.com")
            #expect(response.status == .accepted)
        }
        #expect(try await Self.exists(open, "open@example.com"))
    }

    @Test("fail-open with the service down still refuses what the shipped common-password list holds")
    func shippedListWhenDown() async throws {
        let open = try await TestHarness.make(breached: BreachedPasswords(mode: .failOpen) { _ in throw Down() })
        let rules = PasswordRules(services: open.services)
        await #expect(throws: ApiError.self) { try await rules.check("password123456", email: "x@example.com", field: "password") }
        try await rules.check("a quiet sunny balcony garden", email: "x@example.com", field: "password")
    }
}
