import Foundation
public import ServiceLifecycle
import Logging
import SolarSecurity
import Storage

/// Writes a signed checkpoint of the audit chain head (seq, entry hash, time) to the audit
/// stream at start, every `AUDIT_CHECKPOINT_SECONDS` when the head has moved, and at shutdown.
/// Kept in a log store the database's writers cannot edit, the stream anchors the chain outside
/// the database: `solar audit verify --against` finds a chain re-signed with the real key.
public struct AuditCheckpointer: Service {
    let services: AppServices

    public init(services: AppServices) {
        self.services = services
    }

    public func run() async throws {
        var last: Int64?
        await repeatUntilShutdown(every: .seconds(services.config.auditCheckpointInterval)) {
            last = await checkpoint(unlessAt: last)
        }
        _ = await checkpoint(unlessAt: last)
    }

    /// Writes a checkpoint unless the head is still at `previous`; returns the head's seq.
    @discardableResult
    public func checkpoint(unlessAt previous: Int64? = nil) async -> Int64? {
        do {
            guard let checkpoint = try await services.store.auditCheckpoint(at: services.now()) else { return previous }
            if checkpoint.seq != previous { AuditStream.write(checkpoint, to: services.auditLog) }
            return checkpoint.seq
        } catch let error as AuditCheckpointError {
            // The scheduled verification names the break; no checkpoint vouches for this head.
            services.logger.error("audit checkpoint refused", metadata: ["reason": .string(String(describing: error))])
        } catch {
            services.logger.warning("audit checkpoint could not run", metadata: ["error": .string(String(describing: type(of: error)))])
        }
        return previous
    }
}
