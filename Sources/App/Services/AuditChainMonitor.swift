import Foundation
import Logging
public import ServiceLifecycle
public import Storage

/// Verifies the audit hash chain on a schedule (`AUDIT_VERIFY_SECONDS`), as `solar audit verify`
/// does, so an edited, deleted or reordered entry is noticed without anyone running the command:
/// the gauge `solar_audit_chain_intact` drops to 0 (alert `SolarAuditChainBroken`) and a critical
/// log line names the first broken entry.
public struct AuditChainMonitor: Service {
    let services: AppServices

    public init(services: AppServices) {
        self.services = services
    }

    public func run() async throws {
        await repeatUntilShutdown(every: .seconds(services.config.auditVerifyInterval)) { await check() }
    }

    /// Verifies the whole chain once; returns the report, or nil when the database could not be read
    /// or the check stopped for shutdown.
    @discardableResult
    public func check() async -> AuditChainReport? {
        let report: AuditChainReport
        do {
            // A graceful shutdown stops the check between two batches instead of waiting for
            // the end of a long chain.
            report = try await cancelWhenGracefulShutdown { try await services.store.verifyAuditChain() }
        } catch is CancellationError {
            services.logger.info("audit chain check stopped for shutdown")
            return nil
        } catch {
            services.logger.warning("audit chain check could not run", metadata: ["error": .string(String(describing: type(of: error)))])
            return nil
        }
        FreedMemory.release()
        services.metrics.auditChain(intact: report.isIntact, verified: report.verified)
        if let broken = report.firstBroken {
            services.logger.critical("audit chain broken", metadata: [
                "seq": .stringConvertible(broken.seq), "entry": .string(broken.id), "reason": .string(broken.reason),
            ])
        }
        return report
    }
}
