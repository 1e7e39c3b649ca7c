import Domain
import Foundation
import SQLiteStorage
import Storage
import StorageTesting

/// The drivers every storage test runs against: SQLite always, MySQL when a test server is
/// configured (always under `make test`).
typealias TestDriver = TestDatabase.Kind

extension TestDatabase.Kind {
    /// The kinds available on this machine.
    static var available: [TestDatabase.Kind] { TestDatabase.kinds }

    /// A migrated, empty database of this kind, reached with the application's rights.
    func make() async throws -> (store: SQLStore, database: any SQLDatabase) {
        try await TestDatabase.store(self)
    }
}

enum Fixtures {
    static let hash = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0c2FsdA$aGFzaGhhc2hoYXNoaGFzaGhhc2hoYXNoaGFzaGhhc2g"

    static func account(_ role: Role = .customer, email: String = "u-\(UUID().uuidString.prefix(8).lowercased())@example.com") -> Account {
        Account(id: UUID(), email: email, name: "Test User", phone: "+34600000001", role: role, passwordHash: hash,
                createdAt: Date(timeIntervalSince1970: 1_800_000_000))
    }

    static func order(customer: UUID, status: OrderStatus = .quoted, installer: UUID? = nil) -> Order {
        let spec = InstallationSpec(systemSizeDeciKw: 64, panelCount: 16, roofType: .tile)
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        return Order(
            id: UUID(), customerID: customer, status: status,
            address: Address(line1: "Calle Mayor 1", line2: nil, city: "Madrid", region: "Madrid", postalCode: "28013", country: "ES"),
            location: GeoPoint(latitude: 40.4, longitude: -3.7), spec: spec, preferredDate: CalendarDate("2026-12-01"), notes: nil,
            quote: PricingRules().quote(for: spec), installerID: installer, scheduledDate: nil, createdAt: now, updatedAt: now
        )
    }

    static func offer(order: UUID, installer: UUID, expires: Date = Date().addingTimeInterval(600)) -> Offer {
        Offer(id: UUID(), orderID: order, installerID: installer, status: .open, distanceKm: 3.2,
              createdAt: expires.addingTimeInterval(-600), expiresAt: expires)
    }
}
