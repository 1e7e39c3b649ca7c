public import Foundation
public import Hummingbird
import Logging
import Metrics
import NIOCore
public import Prometheus

/// Security counters (swift-metrics, exported for Prometheus) behind the alert rules in
/// `deploy/k8s/base/prometheus-rule.yaml`. A plain value: tests give each app its own registry.
public struct SecurityMetrics: Sendable {
    public let registry: PrometheusCollectorRegistry
    let factory: PrometheusMetricsFactory

    public init(registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        self.factory = PrometheusMetricsFactory(registry: registry)
    }

    func count(_ name: String, _ dimensions: [(String, String)] = []) {
        Counter(label: name, dimensions: dimensions, factory: factory).increment()
    }

    func loginFailure(reason: String) { count("solar_login_failures_total", [("reason", reason)]) }
    func lockout() { count("solar_login_lockouts_total") }
    func authorizationDenied(_ decision: String) { count("solar_authorization_denials_total", [("decision", decision)]) }
    /// Per staff member, so one person's unusual volume stands out.
    func piiReveal(staffID: UUID) { count("solar_pii_reveals_total", [("staff_id", staffID.uuidString.lowercased())]) }
    func breakGlassGranted() { count("solar_break_glass_grants_total") }
    func refreshTokenReuse() { count("solar_refresh_token_reuse_total") }
    /// A failure that cannot change the answer but must not vanish: the audit write of an
    /// access denial, outbox bookkeeping. Logged at error level where it happens.
    func internalFailure(_ operation: String) { count("solar_internal_failures_total", [("operation", operation)]) }
    /// An email that exhausted its delivery attempts (dead letter).
    func outboxDeadLetter() { count("solar_outbox_dead_letters_total") }
    func securityEvent(_ kind: String) { count("solar_security_events_total", [("kind", kind)]) }
    func retentionPurged(table: String, count n: Int) {
        Counter(label: "solar_retention_purged_total", dimensions: [("table", table)], factory: factory).increment(by: n)
    }

    /// Offers made by the dispatch sweep after earlier ones expired unanswered.
    func dispatchReoffers(_ n: Int) { Counter(label: "solar_dispatch_reoffers_total", factory: factory).increment(by: n) }
    /// Orders waiting for an installer with no one left to offer them to (support follows up).
    func dispatchStalled(_ n: Int) { Gauge(label: "solar_dispatch_stalled_orders", factory: factory).record(n) }

    /// The outcome of the last scheduled audit-chain verification.
    func auditChain(intact: Bool, verified: Int) {
        Gauge(label: "solar_audit_chain_intact", factory: factory).record(intact ? 1 : 0)
        Gauge(label: "solar_audit_chain_verified_entries", factory: factory).record(verified)
    }

    /// The Prometheus text exposition.
    public func exposition() -> String { registry.emitToString() }
}

/// The internal metrics endpoint, on its own port (`METRICS_PORT`) so it is never exposed
/// through the public load balancer.
public func buildMetricsApplication(services: AppServices) -> some ApplicationProtocol {
    let router = Router()
    let metrics = services.metrics
    router.get("metrics") { _, _ in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: metrics.exposition())))
    }
    return Application(
        router: router,
        configuration: .init(address: .hostname(services.config.metricsHost, port: services.config.metricsPort), serverName: nil),
        logger: services.logger
    )
}
