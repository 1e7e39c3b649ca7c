import Domain
import Foundation
import Testing

@Suite("Geography and dispatch planning")
struct DispatchTests {
    static let madrid = GeoPoint(latitude: 40.4168, longitude: -3.7038)
    static let barcelona = GeoPoint(latitude: 41.3874, longitude: 2.1686)

    @Test("haversine distance Madrid to Barcelona is about 505 km")
    func distance() {
        let d = Self.madrid.distanceKm(to: Self.barcelona)
        #expect(abs(d - 505) < 3)
        #expect(Self.madrid.distanceKm(to: Self.madrid) == 0)
        #expect(abs(Self.madrid.distanceKm(to: Self.barcelona) - Self.barcelona.distanceKm(to: Self.madrid)) < 1e-9)
    }

    @Test("coordinates outside their ranges are invalid")
    func ranges() {
        #expect(!GeoPoint(latitude: 90.1, longitude: 0).isValid)
        #expect(!GeoPoint(latitude: 0, longitude: -180.5).isValid)
        #expect(!GeoPoint(latitude: .nan, longitude: 0).isValid)
        #expect(GeoPoint(latitude: -90, longitude: 180).isValid)
    }

    func profile(_ lat: Double, _ lon: Double, radius: Double, available: Bool = true, id: UUID = UUID()) -> InstallerProfile {
        InstallerProfile(installerID: id, serviceArea: ServiceArea(centre: GeoPoint(latitude: lat, longitude: lon), radiusKm: radius),
                         available: available, certifications: [], updatedAt: Date())
    }

    @Test("offers go to the nearest available installers whose area covers the site, with an expiry")
    func planner() {
        let near = profile(40.42, -3.70, radius: 30)
        let nearer = profile(40.4168, -3.7038, radius: 10)
        let unavailable = profile(40.41, -3.70, radius: 30, available: false)
        let tooSmallArea = profile(40.60, -3.70, radius: 5)
        let far = profile(41.38, 2.17, radius: 100)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let planner = DispatchPlanner(maxOffers: 5, offerTTL: 600)
        let offers = planner.offers(orderID: UUID(), site: Self.madrid, candidates: [far, near, unavailable, tooSmallArea, nearer], now: now, makeID: { UUID() })
        #expect(offers.map(\.installerID) == [nearer.installerID, near.installerID])
        #expect(offers.allSatisfy { $0.status == .open && $0.expiresAt == now.addingTimeInterval(600) })
        let limited = DispatchPlanner(maxOffers: 1, offerTTL: 600)
            .offers(orderID: UUID(), site: Self.madrid, candidates: [near, nearer], now: now, makeID: { UUID() })
        #expect(limited.map(\.installerID) == [nearer.installerID])
    }

    @Test("a later round skips installers already offered the order and goes to the next nearest")
    func nextRound() {
        let first = profile(40.4168, -3.7038, radius: 10)
        let second = profile(40.42, -3.70, radius: 30)
        let third = profile(40.45, -3.70, radius: 30)
        let planner = DispatchPlanner(maxOffers: 1, offerTTL: 600)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let round = { (excluded: Set<UUID>) in
            planner.offers(orderID: UUID(), site: Self.madrid, candidates: [third, second, first], now: now, excluding: excluded, makeID: { UUID() })
                .map(\.installerID)
        }
        #expect(round([]) == [first.installerID])
        #expect(round([first.installerID]) == [second.installerID])
        #expect(round([first.installerID, second.installerID]) == [third.installerID])
        #expect(round([first.installerID, second.installerID, third.installerID]).isEmpty)
    }
}
