import Foundation
import Logging
public import ServiceLifecycle
import Storage

/// Deletes what the platform no longer needs (docs/privacy.md): sessions and refresh tokens
/// `ENDED_RECORD_RETENTION_DAYS` after they ended, spent or expired one-time codes and email
/// changes, sent emails, login-throttle rows idle for a day, and expired idempotency keys; and
/// erases the site details of orders ended `SITE_DETAILS_RETENTION_DAYS` ago.
/// Every `RETENTION_SWEEP_SECONDS`, in one transaction; a failure is logged and counted.
public struct RetentionSweeper: Service {
    let services: AppServices

    public init(services: AppServices) {
        self.services = services
    }

    public func run() async throws {
        await repeatUntilShutdown(every: .seconds(services.config.retentionSweepInterval)) { _ = await sweep() }
    }

    /// One pass; returns rows deleted per table (empty when the pass failed).
    @discardableResult
    public func sweep() async -> [String: Int] {
        let now = services.now()
        let ended = now.addingTimeInterval(-services.config.endedRecordRetention)
        let idle = now.addingTimeInterval(-86400)
        do {
            let siteCut = now.addingTimeInterval(-services.config.siteDetailsRetention)
            let deleted = try await services.store.write { db in
                var counts = try db.purgeExpired(now: now, endedBefore: ended, throttleBefore: idle)
                counts["orders_site_details"] = try db.eraseSiteDetails(endedBefore: siteCut)
                return counts
            }
            for (table, count) in deleted where count > 0 { services.metrics.retentionPurged(table: table, count: count) }
            let total = deleted.values.reduce(0, +)
            if total > 0 {
                services.logger.info("retention sweep", metadata: deleted.mapValues { .stringConvertible($0) })
            }
            return deleted
        } catch {
            services.logger.error("retention sweep failed", metadata: ["error": .string(String(describing: type(of: error)))])
            services.metrics.internalFailure("retention")
            return [:]
        }
    }
}
