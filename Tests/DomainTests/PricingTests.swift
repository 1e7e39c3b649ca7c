import Domain
import Foundation
import Testing

@Suite("Pricing and order validation")
struct PricingTests {
    let rules = PricingRules()

    @Test("the documented example: 6.4 kW, 16 panels, tile roof")
    func example() {
        let quote = rules.quote(for: InstallationSpec(systemSizeDeciKw: 64, panelCount: 16, roofType: .tile))
        #expect(quote.lines.map(\.amountCents) == [608_000, 120_000, 30_000])
        #expect(quote.totalCents == 758_000)
        #expect(quote.currency == "EUR")
    }

    @Test("pricing is deterministic and monotonic in size and roof difficulty")
    func properties() {
        let base = InstallationSpec(systemSizeDeciKw: 50, panelCount: 12, roofType: .asphaltShingle)
        #expect(rules.quote(for: base) == rules.quote(for: base))
        var bigger = base
        bigger.systemSizeDeciKw = 60
        #expect(rules.quote(for: bigger).totalCents > rules.quote(for: base).totalCents)
        let roofs: [RoofType] = [.asphaltShingle, .metal, .flat, .tile, .slate]
        let totals = roofs.map { roof in rules.quote(for: InstallationSpec(systemSizeDeciKw: 50, panelCount: 12, roofType: roof)).totalCents }
        #expect(totals == totals.sorted() && Set(totals).count == roofs.count)
    }

    @Test("labour rounds half up in basis points")
    func rounding() {
        // 1 panel * 6000 * 1.10 = 6600 exactly; 1 * 6000 * 1.15 = 6900.
        #expect(rules.quote(for: InstallationSpec(systemSizeDeciKw: 5, panelCount: 1, roofType: .metal)).lines[1].amountCents == 6_600)
        #expect(rules.quote(for: InstallationSpec(systemSizeDeciKw: 5, panelCount: 1, roofType: .flat)).lines[1].amountCents == 6_900)
    }

    static let today = CalendarDate("2026-11-29")!
    static let address = Address(line1: "Calle Mayor 1", line2: nil, city: "Madrid", region: "Madrid", postalCode: "28013", country: "ES")

    func draft(size: Double = 6.4, panels: Int = 16, lat: Double = 40.4, date: String? = nil, address: Address = address) throws(ValidationFailure) -> OrderDraft {
        try OrderDraft(address: address, location: GeoPoint(latitude: lat, longitude: -3.7), systemSizeKw: size, panelCount: panels,
                       roofType: .tile, preferredDate: date, notes: nil, today: Self.today)
    }

    @Test("valid drafts convert kW to integer tenths")
    func valid() throws {
        #expect(try draft(size: 6.45).spec.systemSizeDeciKw == 65)
        #expect(try draft(date: "2026-12-01").preferredDate == CalendarDate("2026-12-01"))
    }

    @Test("invalid drafts name the field", arguments: [
        (0.4, 2, 40.0, nil as String?, "systemSizeKw"),
        (Double.nan, 16, 40.0, nil, "systemSizeKw"),
        (1e308, 16, 40.0, nil, "systemSizeKw"),
        (-1e18, 16, 40.0, nil, "systemSizeKw"),
        (Double.infinity, 16, 40.0, nil, "systemSizeKw"),
        (6.4, 0, 40.0, nil, "panelCount"),
        (6.4, 100, 40.0, nil, "panelCount"),
        (6.4, 16, 90.5, nil, "location"),
        (6.4, 16, 40.0, "2026-11-28", "preferredDate"),
        (6.4, 16, 40.0, "2026-02-30", "preferredDate"),
        (6.4, 16, 40.0, "2030-01-01", "preferredDate"),
    ])
    func invalid(size: Double, panels: Int, lat: Double, date: String?, field: String) {
        #expect { try draft(size: size, panels: panels, lat: lat, date: date) } throws: { error in
            (error as? ValidationFailure)?.errors.contains { $0.field == field } == true
        }
    }

    @Test("address fields are bounded and free of control characters")
    func addressLimits() {
        var bad = Self.address
        bad.line1 = String(repeating: "a", count: 201)
        #expect(throws: ValidationFailure.self) { try draft(address: bad) }
        bad = Self.address
        bad.city = "Madrid\u{0}"
        #expect(throws: ValidationFailure.self) { try draft(address: bad) }
        bad = Self.address
        bad.country = "es"
        #expect(throws: ValidationFailure.self) { try draft(address: bad) }
    }
}
