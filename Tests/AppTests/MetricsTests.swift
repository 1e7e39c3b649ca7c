@testable import App
import Domain
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Storage
import Testing
import Yams

@Suite("Security monitoring")
struct MetricsTests {
    @Test("security events are counted and exported on the internal metrics endpoint only")
    func counters() async throws {
        let harness = try await TestHarness.make()
        let support = try await harness.account(.support)
        try await harness.app.test(.router) { client in
            _ = try await client.customer("counted@example.com")
            for _ in 1...5 {
                _ = try await client.call(.post, "/api/v1/auth/login", json: #"{"email":"counted@example.com","password":"not the password"}"#)
            }
            let customer = try await client.customer()
            _ = try await client.call(.get, "/api/v1/staff/audit-events", token: customer)
            let token = try await client.login(support.email)
            let id = try #require((try await client.call(.post, "/api/v1/staff/customer-search", token: token, json: #"{"query":"counted@example.com"}"#).object()["items"] as? [[String: Any]])?.first?["id"] as? String)
            _ = try await client.call(.post, "/api/v1/staff/customers/\(id)/reveal", token: token, json: #"{"reason":"ticket SUP-9 address check"}"#)
            #expect(try await client.call(.get, "/metrics").status == .notFound)
        }
        try await buildMetricsApplication(services: harness.services).test(.router) { client in
            let response = try await client.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let text = String(buffer: response.body)
            #expect(text.contains(#"solar_login_failures_total{reason="password"} 5"#))
            #expect(text.contains("solar_login_lockouts_total 1"))
            #expect(text.contains(#"solar_authorization_denials_total{decision="forbidden"} 1"#))
            #expect(text.contains(#"solar_pii_reveals_total{staff_id="\#(support.id.uuidString.lowercased())"} 1"#))
        }
    }

    @Test("every metric the alert rules use is one the server exports")
    func alertRulesUseRealMetrics() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let text = try String(contentsOf: root.appendingPathComponent("deploy/k8s/base/prometheus-rule.yaml"), encoding: .utf8)
        let rule = try #require(try Yams.load(yaml: text) as? [String: Any])
        #expect(rule["kind"] as? String == "PrometheusRule")
        // Every recorder once: the names come from the exposition the server really produces.
        let metrics = SecurityMetrics()
        metrics.loginFailure(reason: "password")
        metrics.lockout()
        metrics.authorizationDenied("forbidden")
        metrics.piiReveal(staffID: UUID())
        metrics.breakGlassGranted()
        metrics.refreshTokenReuse()
        metrics.dispatchReoffers(1)
        metrics.dispatchStalled(0)
        metrics.auditChain(intact: true, verified: 0)
        metrics.internalFailure("denial_audit")
        metrics.outboxDeadLetter()
        metrics.securityEvent("security.throttled")
        metrics.retentionPurged(table: "sessions", count: 1)
        let exported = Set(metrics.exposition().split(separator: "\n").filter { !$0.hasPrefix("#") }
            .compactMap { $0.split(whereSeparator: { $0 == "{" || $0 == " " }).first.map(String.init) })
        #expect(exported.count == 14)
        let groups = try #require((rule["spec"] as? [String: Any])?["groups"] as? [[String: Any]])
        let expressions = groups.flatMap { ($0["rules"] as? [[String: Any]]) ?? [] }.compactMap { $0["expr"] as? String }
        for metric in exported.subtracting(["solar_audit_chain_verified_entries", "solar_dispatch_reoffers_total", "solar_retention_purged_total"]) {
            #expect(expressions.contains { $0.contains(metric) }, "no alert uses \(metric)")
        }
        // Each replica counts only its own requests: a counter is summed across pods (max would
        // take the busiest pod and miss the total).
        for expression in expressions where expression.contains("_total") {
            #expect(expression.hasPrefix("sum(") || expression.hasPrefix("sum by"), "\(expression)")
        }
        for expression in expressions {
            let used = expression.split(whereSeparator: { !($0.isLetter || $0.isNumber || $0 == "_") }).filter { $0.hasPrefix("solar_") }
            #expect(used.allSatisfy { exported.contains(String($0)) }, "\(expression)")
        }
    }
}
