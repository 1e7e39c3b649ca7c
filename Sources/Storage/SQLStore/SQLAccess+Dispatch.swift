import Domain
import Foundation
import SolarSecurity

extension SQLAccess {
    func saveInstallerProfile(_ p: InstallerProfile) throws {
        let values: [SQLValue] = [
            .double(p.serviceArea.centre.latitude), .double(p.serviceArea.centre.longitude), .double(p.serviceArea.radiusKm),
            .bool(p.available), try json(p.certifications), .date(p.updatedAt), .uuid(p.installerID),
        ]
        let updated = try conn.execute(
            """
            UPDATE installer_profiles SET latitude = ?, longitude = ?, radius_km = ?, available = ?,
                   certifications = ?, updated_at = ? WHERE installer_id = ?
            """,
            values
        )
        if updated == 0 {
            try conn.execute(
                """
                INSERT INTO installer_profiles (latitude, longitude, radius_km, available, certifications, updated_at, installer_id)
                VALUES (?, ?, ?, ?, ?, ?, ?)
                """,
                values
            )
        }
    }

    func installerProfile(installerID: UUID) throws -> InstallerProfile? {
        try conn.query(
            "SELECT installer_id, latitude, longitude, radius_km, available, certifications, updated_at FROM installer_profiles WHERE installer_id = ?",
            [.uuid(installerID)]
        ).first.map(profile(from:))
    }

    func availableInstallerProfiles() throws -> [InstallerProfile] {
        try conn.query(
            """
            SELECT p.installer_id, p.latitude, p.longitude, p.radius_km, p.available, p.certifications, p.updated_at
            FROM installer_profiles p JOIN accounts a ON a.id = p.installer_id
            WHERE p.available = 1 AND a.role = 'installer'
            """,
            []
        ).map(profile(from:))
    }

    func profile(from row: SQLRow) throws -> InstallerProfile {
        InstallerProfile(
            installerID: try row.uuid("installer_id"),
            serviceArea: ServiceArea(
                centre: GeoPoint(latitude: try row.double("latitude"), longitude: try row.double("longitude")),
                radiusKm: try row.double("radius_km")
            ),
            available: try row.bool("available"),
            certifications: try decodeJSON([String].self, try row.string("certifications"), column: "certifications"),
            updatedAt: try row.date("updated_at")
        )
    }

    static let offerColumns = "id, order_id, installer_id, status, distance_km, created_at, expires_at"

    func insertOffer(_ o: Offer) throws {
        try conn.execute(
            "INSERT INTO offers (\(Self.offerColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.uuid(o.id), .uuid(o.orderID), .uuid(o.installerID), .text(o.status.rawValue), .double(o.distanceKm),
             .date(o.createdAt), .date(o.expiresAt)]
        )
    }

    func offer(id: UUID) throws -> Offer? {
        try conn.query("SELECT \(Self.offerColumns) FROM offers WHERE id = ?", [.uuid(id)]).first.map(offer(from:))
    }

    func openOffers(installerID: UUID, now: Date) throws -> [(Offer, Order)] {
        let offers = try conn.query(
            "SELECT \(Self.offerColumns) FROM offers WHERE installer_id = ? AND status = 'open' AND expires_at > ? ORDER BY created_at DESC, id LIMIT 100",
            [.uuid(installerID), .date(now)]
        ).map(offer(from:))
        return try offers.compactMap { offer in try order(id: offer.orderID).map { (offer, $0) } }
    }

    func claimOffer(id: UUID, installerID: UUID, now: Date) throws -> Bool {
        try conn.execute(
            "UPDATE offers SET status = 'accepted' WHERE id = ? AND installer_id = ? AND status = 'open' AND expires_at > ?",
            [.uuid(id), .uuid(installerID), .date(now)]
        ) == 1
    }

    func declineOffer(id: UUID, installerID: UUID, now: Date) throws -> Bool {
        try conn.execute(
            "UPDATE offers SET status = 'withdrawn' WHERE id = ? AND installer_id = ? AND status = 'open' AND expires_at > ?",
            [.uuid(id), .uuid(installerID), .date(now)]
        ) == 1
    }

    func closeOpenOffers(orderID: UUID, status: OfferStatus) throws {
        try conn.execute("UPDATE offers SET status = ? WHERE order_id = ? AND status = 'open'", [.text(status.rawValue), .uuid(orderID)])
    }

    func offers(orderID: UUID) throws -> [Offer] {
        try conn.query("SELECT \(Self.offerColumns) FROM offers WHERE order_id = ? ORDER BY created_at, id", [.uuid(orderID)])
            .map(offer(from:))
    }

    func expireOffers(orderID: UUID, now: Date) throws -> Int {
        try conn.execute(
            "UPDATE offers SET status = 'expired' WHERE order_id = ? AND status = 'open' AND expires_at <= ?", [.uuid(orderID), .date(now)]
        )
    }

    func ordersAwaitingOffers(now: Date, after: UUID?, limit: Int) throws -> [UUID] {
        // Ids are stored as lowercase text, so their order is the same in SQLite and MySQL (binary collation).
        try conn.query(
            """
            SELECT o.id FROM orders o
            WHERE o.status = 'dispatching' AND o.id > ? AND NOT EXISTS (
                SELECT 1 FROM offers f WHERE f.order_id = o.id AND f.status = 'open' AND f.expires_at > ?)
            ORDER BY o.id LIMIT ?
            """,
            [.text(after?.uuidString.lowercased() ?? ""), .date(now), .int(Int64(limit))]
        ).map { try $0.uuid("id") }
    }

    func offer(from row: SQLRow) throws -> Offer {
        guard let status = OfferStatus(rawValue: try row.string("status")) else { throw StorageError.corruptRow("status") }
        return Offer(
            id: try row.uuid("id"), orderID: try row.uuid("order_id"), installerID: try row.uuid("installer_id"),
            status: status, distanceKm: try row.double("distance_km"), createdAt: try row.date("created_at"),
            expiresAt: try row.date("expires_at")
        )
    }
}
