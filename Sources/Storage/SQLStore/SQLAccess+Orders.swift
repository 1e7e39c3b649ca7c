import Domain
import Foundation
import SolarSecurity

extension SQLAccess {
    /// The order select list. `order(from:)` reads each value by its position in it.
    static let orderColumnNames = [
        "id", "customer_id", "status", "address_line1", "address_line2", "city", "region", "postal_code", "country",
        "latitude", "longitude", "system_size_deci_kw", "panel_count", "roof_type", "preferred_date", "notes",
        "quote_currency", "quote_total_cents", "quote_lines", "installer_id", "scheduled_date", "created_at", "updated_at", "site_ciphertext",
    ]
    static let orderColumns = orderColumnNames.joined(separator: ", ")

    /// Stores the street, full postal code, exact location and notes only encrypted; the row
    /// keeps the city, region, country, a 2-character postal prefix and a location rounded to 0.1°.
    func insertOrder(_ o: Order) throws {
        let sealed = try sealedSite(o)
        try conn.execute(
            "INSERT INTO orders (\(Self.orderColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                .uuid(o.id), .uuid(o.customerID), .text(o.status.rawValue), .text("*"), .null, .text(o.address.city),
                .text(o.address.region), .text(Self.postalPrefix(o)), .text(o.address.country),
                .double(Self.coarse(o.location.latitude)), .double(Self.coarse(o.location.longitude)),
                .int(Int64(o.spec.systemSizeDeciKw)), .int(Int64(o.spec.panelCount)), .text(o.spec.roofType.rawValue),
                .optionalText(o.preferredDate?.description), .null, .text(o.quote.currency), .int(o.quote.totalCents),
                .text(StoredJSON.text(array: o.quote.lines)), .uuid(o.installerID), .optionalText(o.scheduledDate?.description), .date(o.createdAt),
                .date(o.updatedAt), .text(sealed),
            ]
        )
    }

    /// The encrypted site: street, full postal code, exact location and notes, bound to the order id.
    func sealedSite(_ o: Order) throws -> String {
        let site = FieldProtection.Site(line1: o.address.line1, line2: o.address.line2, postalCode: o.address.postalCode,
                                        latitude: o.location.latitude, longitude: o.location.longitude, notes: o.notes)
        return try protection.seal(site, context: FieldProtection.siteContext(UUIDText.string(o.id)))
    }

    /// What stays in clear: a 2-character postal prefix and a location rounded to 0.1° (about 11 km).
    static func postalPrefix(_ o: Order) -> String { String(o.address.postalCode.prefix(2)) }
    static func coarse(_ degrees: Double) -> Double { (degrees * 10).rounded() / 10 }

    func order(id: UUID) throws -> Order? {
        try orders(from: conn.query("SELECT \(Self.orderColumns) FROM orders WHERE id = ?", [.uuid(id)])).first
    }

    func orders(customerID: UUID, limit: Int, offset: Int) throws -> [Order] {
        try orders(from: conn.query(
            "SELECT \(Self.orderColumns) FROM orders WHERE customer_id = ? ORDER BY created_at DESC, id LIMIT ? OFFSET ?",
            [.uuid(customerID), .int(Int64(limit)), .int(Int64(offset))]
        ))
    }

    func orders(installerID: UUID, limit: Int) throws -> [Order] {
        try orders(from: conn.query(
            "SELECT \(Self.orderColumns) FROM orders WHERE installer_id = ? ORDER BY updated_at DESC, id LIMIT ?",
            [.uuid(installerID), .int(Int64(limit))]
        ))
    }

    func lockOrder(id: UUID) throws -> Bool {
        // A no-op update: portable, and in InnoDB it takes the row lock.
        try conn.execute("UPDATE orders SET updated_at = updated_at WHERE id = ?", [.uuid(id)]) == 1
    }

    func updateOrder(_ o: Order, expectedStatus: OrderStatus) throws -> Bool {
        try conn.execute(
            """
            UPDATE orders SET status = ?, installer_id = ?, scheduled_date = ?, updated_at = ?
            WHERE id = ? AND status = ?
            """,
            [.text(o.status.rawValue), .uuid(o.installerID), .optionalText(o.scheduledDate?.description),
             .date(o.updatedAt), .uuid(o.id), .text(expectedStatus.rawValue)]
        ) == 1
    }

    func salesFacts() throws -> [SalesFact] {
        try conn.query("SELECT status, created_at, region, quote_total_cents, quote_currency FROM orders", []).map { row in
            guard let status = OrderStatus(rawValue: try row.string("status")) else { throw StorageError.corruptRow("status") }
            return SalesFact(
                status: status, createdAt: try row.date("created_at"), region: try row.string("region"),
                totalCents: try row.int("quote_total_cents"), currency: try row.string("quote_currency")
            )
        }
    }

    /// Orders from rows selected with `orderColumns`: the column names are checked once per
    /// result (its rows share them), then each value is read by position, not by a hash of its name.
    func orders(from rows: [SQLRow]) throws -> [Order] {
        guard let columns = rows.first?.columns else { return [] }
        guard columns.names == Self.orderColumnNames else { throw StorageError.corruptRow("orders") }
        return try rows.map { row in
            guard row.columns === columns else { throw StorageError.corruptRow("orders") }
            return try order(positional: row)
        }
    }

    private func order(positional row: SQLRow) throws -> Order {
        func field(_ i: Int) throws(StorageError) -> SQLField { try row.field(i, Self.orderColumnNames[i]) }
        guard let status = OrderStatus(rawValue: try field(2).string()) else { throw StorageError.corruptRow("status") }
        guard let roof = RoofType(rawValue: try field(13).string()) else { throw StorageError.corruptRow("roof_type") }
        let lines = try StoredJSON.readArray(of: QuoteLine.self, try field(18).string(), column: "quote_lines")
        let quote = Quote(currency: try field(16).string(), lines: lines)
        guard quote.totalCents == (try field(17).int()) else { throw StorageError.corruptRow("quote_total_cents") }
        var order = Order(
            id: try field(0).uuid(), customerID: try field(1).uuid(), status: status,
            address: Address(
                line1: try field(3).string(), line2: try field(4).optionalString(),
                city: try field(5).string(), region: try field(6).string(),
                postalCode: try field(7).string(), country: try field(8).string()
            ),
            location: GeoPoint(latitude: try field(9).double(), longitude: try field(10).double()),
            spec: InstallationSpec(systemSizeDeciKw: Int(try field(11).int()), panelCount: Int(try field(12).int()), roofType: roof),
            preferredDate: try field(14).optionalString().flatMap(CalendarDate.init),
            notes: try field(15).optionalString(), quote: quote, installerID: try field(19).optionalUUID(),
            scheduledDate: try field(20).optionalString().flatMap(CalendarDate.init),
            createdAt: try field(21).date(), updatedAt: try field(22).date()
        )
        if let sealed = try field(23).optionalString() {
            let site = try protection.openStored(FieldProtection.Site.self, sealed, context: FieldProtection.siteContext(UUIDText.string(order.id)))
            order.address.line1 = site.line1
            order.address.line2 = site.line2
            order.address.postalCode = site.postalCode
            order.location = GeoPoint(latitude: site.latitude, longitude: site.longitude)
            order.notes = site.notes
        }
        return order
    }
}
