@testable import App
import Foundation
import Storage
import Domain
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@Suite("Security headers and CORS")
struct HeadersTests {
    static func expectSecurityHeaders(_ response: TestResponse, html: Bool = false) {
        #expect(response.headers[.strictTransportSecurity]?.hasPrefix("max-age=") == true)
        if html {
            #expect(response.headers[.contentSecurityPolicy]?.contains("frame-ancestors 'none'") == true)
        } else {
            #expect(response.headers[.contentSecurityPolicy] == "default-src 'none'; frame-ancestors 'none'")
        }
        #expect(response.headers[.xContentTypeOptions] == "nosniff")
        #expect(response.headers[HTTPField.Name("Referrer-Policy")!] == "same-origin")
        #expect(response.headers[.cacheControl] == "no-store")
        #expect(response.headers[HTTPField.Name("X-Request-ID")!]?.isEmpty == false)
    }

    @Test("every kind of response carries the security headers")
    func headers() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            let token = try await client.customer()
            Self.expectSecurityHeaders(try await client.call(.get, "/api/v1/me", token: token))
            Self.expectSecurityHeaders(try await client.call(.get, "/api/v1/me"))
            Self.expectSecurityHeaders(try await client.call(.post, "/api/v1/auth/login", json: "{"))
            Self.expectSecurityHeaders(try await client.call(.get, "/api/v1/no/such/thing"))
            Self.expectSecurityHeaders(try await client.call(.get, "/no/such/page"), html: true)
            Self.expectSecurityHeaders(try await client.call(.get, "/health/live"))
        }
    }

    @Test("CORS: allow-listed origins only, never credentials")
    func cors() async throws {
        let harness = try await TestHarness.make(config: { $0.corsAllowedOrigins = ["https://app.solardispatch.example"] })
        try await harness.app.test(.router) { client in
            let good = try await client.call(.get, "/health/live", headers: [.origin: "https://app.solardispatch.example"])
            #expect(good.headers[.accessControlAllowOrigin] == "https://app.solardispatch.example")
            #expect(good.headers[.accessControlAllowCredentials] == nil)
            let evil = try await client.call(.get, "/health/live", headers: [.origin: "https://evil.example"])
            #expect(evil.headers[.accessControlAllowOrigin] == nil)
            let preflight = try await client.call(.options, "/api/v1/orders", headers: [.origin: "https://evil.example", .accessControlRequestMethod: "POST"])
            #expect(preflight.status == .forbidden)
            Self.expectSecurityHeaders(preflight)
            #expect(preflight.headers[.accessControlAllowOrigin] == nil)
            let allowed = try await client.call(.options, "/api/v1/orders", headers: [.origin: "https://app.solardispatch.example", .accessControlRequestMethod: "POST"])
            #expect(allowed.status == .noContent)
            #expect(allowed.headers[.accessControlAllowOrigin] == "https://app.solardispatch.example")
        }
    }

    @Test("health endpoints and the OpenAPI contract are served")
    func health() async throws {
        let harness = try await TestHarness.make()
        try await harness.app.test(.router) { client in
            #expect(try await client.call(.get, "/health/live").status == .ok)
            #expect(try await client.call(.get, "/health/ready").status == .ok)
            let spec = try await client.call(.get, "/openapi.yaml")
            #expect(spec.status == .ok)
            let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            let onDisk = try String(contentsOf: root.appendingPathComponent("openapi.yaml"), encoding: .utf8)
            #expect(spec.text == onDisk)
        }
    }

    @Test("readiness answers 503 when the database is gone")
    func notReady() async throws {
        let harness = try await TestHarness.make()
        try await harness.services.store.shutdown()
        try await harness.app.test(.router) { client in
            let response = try await client.call(.get, "/health/ready")
            #expect(response.status == .serviceUnavailable)
            #expect(try await client.call(.get, "/health/live").status == .ok)
        }
    }
}
