import Foundation
import ServiceLifecycle

/// The loop of the background services (outbox, dispatch sweep, audit-chain check): `work`
/// now and then every `interval`, until shutdown. A graceful shutdown ends the wait at once
/// instead of after a whole interval.
func repeatUntilShutdown(every interval: Duration, _ work: () async -> Void) async {
    while !Task.isShuttingDownGracefully && !Task.isCancelled {
        await work()
        try? await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
    }
}
