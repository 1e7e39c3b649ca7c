@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing

@Suite("Authentication and authorization over HTTP")
struct AccessControlTests {
    @Test("another customer's order answers 404, like an order that does not exist, and is audited")
    func otherCustomersOrder() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let alice = try await client.customer()
            let mallory = try await client.customer()
            let id = try await client.order(alice)
            let stolen = try await client.call(.get, "/api/v1/orders/\(id)", token: mallory)
            let missing = try await client.call(.get, "/api/v1/orders/\(UUID().uuidString)", token: mallory)
            #expect(stolen.status == .notFound)
            #expect(missing.status == .notFound)
            #expect(try stolen.object()["title"] as? String == (try missing.object()["title"] as? String))
            #expect(!stolen.text.contains("Calle Mayor"))
            for path in ["accept-quote", "cancel"] {
                #expect(try await client.call(.post, "/api/v1/orders/\(id)/\(path)", token: mallory).status == .notFound)
            }
            // Nothing changed for the owner.
            #expect(try await client.call(.get, "/api/v1/orders/\(id)", token: alice).object()["status"] as? String == "quoted")
        }
        let denials = try await harness.services.store.read { db in try db.auditEvents(limit: 100, offset: 0) }
            .filter { $0.action == "authz.deny" && $0.outcome == .denied }
        #expect(denials.count == 3)
        #expect(denials.allSatisfy { $0.targetType == "order" && $0.actorRole == .customer })
    }

    @Test("no token, a malformed token, a forged token and a revoked token all answer 401")
    func unauthenticated() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let none = try await client.call(.get, "/api/v1/orders")
            #expect(none.status == .unauthorized)
            #expect(none.headers[.wwwAuthenticate] == "Bearer")
            #expect(try await client.call(.get, "/api/v1/me", headers: [.authorization: "Basic YTpi"]).status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: "not-a-token").status == .unauthorized)
            #expect(try await client.call(.get, "/api/v1/me", token: String(repeating: "A", count: 43)).status == .unauthorized)
            let token = try await client.customer()
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .ok)
            #expect(try await client.call(.post, "/api/v1/auth/logout", token: token).status == .noContent)
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test("an expired token answers 401")
    func expiredToken() async throws {
        let clock = TestClock()
        let harness = try await TestHarness.make(now: { clock.now })
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            clock.advance(by: harness.services.config.apiTokenTTL + 1)
            #expect(try await client.call(.get, "/api/v1/me", token: token).status == .unauthorized)
        }
    }

    @Test("the API ignores the web session cookie, so it cannot be driven cross-site")
    func apiIgnoresCookies() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            let response = try await client.call(.get, "/api/v1/me", headers: [.cookie: "\(AuthMiddleware.cookieName)=\(token)"])
            #expect(response.status == .unauthorized)
        }
    }

    /// Each role tries one endpoint of every other audience.
    static let matrix: [(Role, HTTPRequest.Method, String, HTTPResponse.Status)] = [
        (.customer, .post, "/api/v1/staff/customer-search", .forbidden),
        (.customer, .get, "/api/v1/installer/offers", .forbidden),
        (.customer, .get, "/api/v1/staff/audit-events", .forbidden),
        (.installer, .get, "/api/v1/orders", .forbidden),
        (.installer, .get, "/api/v1/staff/sales/summary", .forbidden),
        (.sales, .post, "/api/v1/staff/customer-search", .forbidden),
        (.sales, .get, "/api/v1/staff/audit-events", .forbidden),
        (.sales, .get, "/api/v1/staff/sales/summary", .ok),
        (.support, .get, "/api/v1/staff/sales/summary", .forbidden),
        (.support, .get, "/api/v1/staff/audit-events", .forbidden),
        (.support, .post, "/api/v1/staff/customer-search", .ok),
        (.support, .post, "/api/v1/orders", .forbidden),
        (.engineer, .post, "/api/v1/staff/customer-search", .forbidden),
        (.engineer, .get, "/api/v1/staff/audit-events", .ok),
        (.engineer, .post, "/api/v1/admin/accounts", .forbidden),
        (.engineer, .get, "/api/v1/admin/role-grants", .forbidden),
        (.support, .post, "/api/v1/admin/role-grants/00000000-0000-4000-8000-000000000000/approve", .forbidden),
        (.admin, .get, "/api/v1/staff/audit-events", .ok),
        (.admin, .get, "/api/v1/orders", .forbidden),
        // Admins manage staff; customer data needs a break-glass grant, as for engineers.
        (.admin, .post, "/api/v1/staff/customer-search", .forbidden),
    ]

    @Test("wrong role answers 403; the right role gets through", arguments: matrix.indices)
    func roles(_ index: Int) async throws {
        let (role, method, path, expected) = Self.matrix[index]
        let harness = try await TestHarness.make()
        let account = try await harness.account(role)
        try await harness.app.test(.router) { client in
            let token = try await client.login(account.email)
            let body = path.hasSuffix("/customer-search") ? #"{"query":"ab"}"# : "{}"
            let response = try await client.call(method, path, token: token, json: method == .post ? body : nil)
            #expect(response.status == expected, "\(role) \(method) \(path)")
            if expected == .forbidden {
                #expect(try response.object()["type"] as? String == "/problems/forbidden")
            }
        }
    }

    @Test("a signup body carrying role, id or status is rejected and never applied")
    func massAssignment() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            for extra in [#""role":"admin""#, #""id":"00000000-0000-0000-0000-000000000001""#, #""createdAt":"2020-01-01T00:00:00Z""#] {
                let body = #"{"email":"eve@example.com","password":"correct horse battery","name":"Eve","phone":"+34600123456",\#(extra)}"#
                let response = try await client.call(.post, "/api/v1/auth/signup", json: body)
                #expect(response.status == .unprocessableContent)
            }
            #expect(try await harness.services.store.read { db in try db.account(email: "eve@example.com") } == nil)
            // Order bodies cannot set status, quote or installer either.
            let token = try await client.customer()
            let forged = TestBodies.order().replacingOccurrences(of: #""notes""#, with: #""status":"completed","quote":{"totalCents":1},"notes""#)
            let response = try await client.call(.post, "/api/v1/orders", token: token, json: forged)
            #expect(response.status == .unprocessableContent)
            #expect(response.text.contains("status"))
        }
    }

    @Test("signup always creates a customer")
    func signupRole() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer("new@example.com")
            #expect(try await client.call(.get, "/api/v1/me", token: token).object()["role"] as? String == "customer")
        }
    }
}
