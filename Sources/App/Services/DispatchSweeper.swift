import Domain
import Foundation
import Logging
public import ServiceLifecycle
import Storage

/// Keeps dispatch moving. An order in `dispatching` whose offers all ran out unanswered (or
/// that found no installer when the quote was accepted) is offered to the next nearest
/// eligible installers who have not had it yet, for example one who has just become
/// available. When nobody is left the order stays `dispatching`, is counted in the
/// `solar_dispatch_stalled_orders` gauge and audited once, and support reschedules or
/// cancels it.
public struct DispatchSweeper: Service {
    let services: AppServices

    public init(services: AppServices) {
        self.services = services
    }

    /// What one sweep did.
    public struct Outcome: Sendable, Equatable {
        /// Orders that received new offers.
        public var reoffered = 0
        /// Orders still waiting with no eligible installer left.
        public var stalled = 0
    }

    public func run() async throws {
        await repeatUntilShutdown(every: .seconds(services.config.dispatchSweepInterval)) { await sweep() }
    }

    /// Looks at every order waiting for offers once, in pages of `batch`. Each order is handled in its own
    /// transaction with its row locked, so it cannot race an installer's accept or a cancel.
    @discardableResult
    public func sweep(batch: Int = 200) async -> Outcome {
        var outcome = Outcome()
        let now = services.now()
        var after: UUID?
        while true {
            let page: [UUID]
            do {
                page = try await services.store.read { [after] db in try db.ordersAwaitingOffers(now: now, after: after, limit: batch) }
            } catch {
                services.logger.warning("dispatch sweep could not read", metadata: ["error": .string(String(describing: type(of: error)))])
                break
            }
            for id in page {
                // A graceful shutdown stops the sweep between orders; the next start goes on.
                if Task.isShuttingDownGracefully || Task.isCancelled { break }
                // One order that fails (a deadlock given up, say) does not stop the others.
                do {
                    switch try await redispatch(id, now: now) {
                    case .reoffered: outcome.reoffered += 1
                    case .stalled: outcome.stalled += 1
                    case .skipped: break
                    }
                } catch {
                    services.logger.warning("dispatch sweep skipped an order", metadata: [
                        "order_id": .string(id.uuidString.lowercased()), "error": .string(String(describing: type(of: error))),
                    ])
                }
            }
            guard page.count == batch, let last = page.last, !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            after = last
        }
        services.metrics.dispatchStalled(outcome.stalled)
        return outcome
    }

    enum Redispatch { case reoffered, stalled, skipped }

    func redispatch(_ id: UUID, now: Date) async throws -> Redispatch {
        let system = AuditContext(actor: nil, clientIP: nil, requestID: nil)
        let (result, count) = try await services.store.write { [planner = services.planner] db -> (Redispatch, Int) in
            guard try db.lockOrder(id: id), let order = try db.order(id: id), order.status == .dispatching else { return (.skipped, 0) }
            let earlier = try db.offers(orderID: id)
            if earlier.contains(where: { $0.status == .open && $0.expiresAt > now }) { return (.skipped, 0) }
            let expired = try db.expireOffers(orderID: id, now: now)
            let fresh = planner.offers(
                orderID: id, site: order.location, candidates: try db.availableInstallerProfiles(), now: now,
                excluding: Set(earlier.map(\.installerID)), makeID: { UUID.random() }
            )
            for offer in fresh { try db.insertOffer(offer) }
            if !fresh.isEmpty {
                try db.appendAudit(system.event("dispatch.reoffer", at: now, target: ("order", id), detail: "offers=\(fresh.count) expired=\(expired)"))
                return (.reoffered, fresh.count)
            }
            if expired > 0 {
                // Audited when the last offers run out, not on every sweep that finds nobody.
                try db.appendAudit(system.event("dispatch.stalled", at: now, target: ("order", id), outcome: .failure, detail: "expired=\(expired)"))
            }
            return (.stalled, 0)
        }
        if count > 0 { services.metrics.dispatchReoffers(count) }
        return result
    }
}
