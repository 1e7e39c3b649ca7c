import Domain
import Foundation
import Testing

@Suite("Contact formats and dates")
struct FormatsTests {
    @Test("emails", arguments: [
        ("ann@example.com", true), ("a.b+c@sub.example.es", true), ("no-at.example.com", false), ("a@b", false),
        ("a@@b.com", false), ("a b@c.com", false), ("@example.com", false), ("a@example.c", false), ("a@exa_mple.com", false),
        ("a\u{0}b@example.com", false), ("a\u{7}b@example.com", false), ("jos\u{E9}@example.com", false),
    ])
    func emails(_ email: String, _ valid: Bool) {
        #expect(Formats.isValidEmail(email) == valid)
    }

    @Test("emails are normalised for lookups")
    func normalise() {
        #expect(Formats.normalizedEmail("  Ann@Example.COM ") == "ann@example.com")
    }

    @Test("phones are E.164", arguments: [
        ("+34600123456", true), ("+1234567", true), ("600123456", false), ("+0123456789", false), ("+34 600 123 456", false),
        ("+1234567890123456", false), ("+٣٤٦٠٠١٢٣٤٥٦", false),
    ])
    func phones(_ phone: String, _ valid: Bool) {
        #expect(Formats.isValidPhone(phone) == valid)
    }

    @Test("calendar dates are strict")
    func dates() {
        #expect(CalendarDate("2028-02-29") != nil)
        #expect(CalendarDate("2027-02-29") == nil)
        #expect(CalendarDate("2026-13-01") == nil)
        #expect(CalendarDate("2026-1-01") == nil)
        #expect(CalendarDate("2026-11-29")?.description == "2026-11-29")
        #expect(CalendarDate("2026-11-29")! < CalendarDate("2026-12-01")!)
    }

    @Test("text lengths count Unicode scalars, as JSON Schema and MySQL VARCHAR do")
    func textLength() {
        // 5 characters on screen, 10 scalars: "e" followed by a combining acute accent, five times.
        let accented = String(repeating: "e\u{301}", count: 5)
        var tooLong = Validator()
        tooLong.text(accented, "name", 1...6)
        #expect(tooLong.errors.map(\.field) == ["name"])
        var fits = Validator()
        fits.text(accented, "name", 1...10)
        #expect(fits.errors.isEmpty)
    }

    @Test("sales report aggregates by ISO week and region, revenue only for taken jobs")
    func salesReport() {
        let monday = Date(timeIntervalSince1970: 1_795_392_000) // 2026-11-23, ISO week 48
        let facts = [
            SalesFact(status: .scheduled, createdAt: monday, region: "Madrid", totalCents: 100, currency: "EUR"),
            SalesFact(status: .quoted, createdAt: monday, region: "Madrid", totalCents: 50, currency: "EUR"),
            SalesFact(status: .cancelled, createdAt: monday, region: "Aragón", totalCents: 70, currency: "EUR"),
        ]
        let report = SalesReport(facts: facts)
        #expect(report.byWeek.map(\.key) == ["2026-W48"])
        #expect(report.byWeek.first?.orders == 3)
        #expect(report.byWeek.first?.revenueCents == 100)
        #expect(report.byRegion.first { $0.key == "Madrid" }?.revenueCents == 100)
        #expect(report.byStatus.first { $0.status == .cancelled }?.count == 1)
        // 3 quoted, 1 accepted (scheduled).
        #expect(report.quoteConversionRate == 0.333)
    }
}
