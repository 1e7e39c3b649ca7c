public import Foundation

/// Chooses which installers are offered a job: the nearest eligible ones.
///
/// An installer is eligible when they are available and the site lies inside their service
/// area (great-circle distance from the area's centre at most its radius). Candidates are
/// ranked by distance from their base to the site; ties break on the installer id so the
/// result is deterministic. An installer who was already offered the order (and let the
/// offer expire) is not offered it again: a later round goes to the next nearest ones.
public struct DispatchPlanner: Sendable {
    /// How many installers receive an offer at once.
    public var maxOffers: Int
    /// How long an offer stays open.
    public var offerTTL: TimeInterval

    public init(maxOffers: Int = 5, offerTTL: TimeInterval = 15 * 60) {
        self.maxOffers = maxOffers
        self.offerTTL = offerTTL
    }

    /// Offers for `orderID` at `site`, created at `now`, to none of `excluding`.
    public func offers(
        orderID: UUID, site: GeoPoint, candidates: [InstallerProfile], now: Date, excluding: Set<UUID> = [], makeID: () -> UUID
    ) -> [Offer] {
        candidates
            .filter { $0.available && !excluding.contains($0.installerID) }
            .map { ($0.installerID, $0.serviceArea.centre.distanceKm(to: site), $0.serviceArea.radiusKm) }
            .filter { $0.1 <= $0.2 }
            .sorted { ($0.1, $0.0.uuidString) < ($1.1, $1.0.uuidString) }
            .prefix(maxOffers)
            .map { installer, distance, _ in
                Offer(
                    id: makeID(), orderID: orderID, installerID: installer, status: .open,
                    distanceKm: (distance * 10).rounded() / 10, createdAt: now, expiresAt: now.addingTimeInterval(offerTTL)
                )
            }
    }
}
