public import Foundation

/// A customer's order request after validation: everything needed to create an `Order`.
public struct OrderDraft: Sendable, Equatable {
    public var address: Address
    public var location: GeoPoint
    public var spec: InstallationSpec
    public var preferredDate: CalendarDate?
    public var notes: String?

    /// Limits on what a customer may order.
    public static let systemSizeKwRange: ClosedRange<Double> = 0.5...50
    public static let panelCountRange: ClosedRange<Int> = 1...200
    /// Plausible nameplate power of one panel, in watts.
    public static let wattsPerPanelRange: ClosedRange<Int> = 200...700

    /// Validates raw request values. `today` bounds `preferredDate` (not in the past, at most a year ahead).
    public init(
        address: Address, location: GeoPoint, systemSizeKw: Double, panelCount: Int, roofType: RoofType,
        preferredDate: String?, notes: String?, today: CalendarDate
    ) throws(ValidationFailure) {
        var v = Validator()
        v.text(address.line1, "address.line1", 1...200)
        v.text(address.line2, "address.line2", 0...200, required: false)
        v.text(address.city, "address.city", 1...100)
        v.text(address.region, "address.region", 1...100)
        v.text(address.postalCode, "address.postalCode", 1...20)
        v.check(Formats.isCountryCode(address.country), "address.country", "must be an ISO 3166-1 alpha-2 code")
        v.check(location.isValid, "location", "latitude must be -90..90 and longitude -180..180")
        let sizeInRange = systemSizeKw.isFinite && Self.systemSizeKwRange.contains(systemSizeKw)
        v.check(sizeInRange, "systemSizeKw", "must be 0.5 to 50")
        v.check(Self.panelCountRange.contains(panelCount), "panelCount", "must be 1 to 200")
        // Convert only after the range check: Int(Double) traps on values beyond Int's range.
        let deciKw = sizeInRange ? Int((systemSizeKw * 10).rounded()) : 0
        if sizeInRange && Self.panelCountRange.contains(panelCount) {
            let watts = deciKw * 100 / panelCount
            v.check(Self.wattsPerPanelRange.contains(watts), "panelCount", "implies \(watts) W per panel; expected 200 to 700 W")
        }
        var date: CalendarDate?
        if let preferredDate {
            date = CalendarDate(preferredDate)
            v.check(date != nil, "preferredDate", "must be a date YYYY-MM-DD")
            if let d = date {
                let limit = CalendarDate(year: today.year + 1, month: today.month, day: min(today.day, 28))
                v.check(d >= today && d <= limit, "preferredDate", "must be between today and one year ahead")
            }
        }
        v.text(notes, "notes", 0...1000, required: false)
        try v.finish()
        self.address = address
        self.location = location
        self.spec = InstallationSpec(systemSizeDeciKw: deciKw, panelCount: panelCount, roofType: roofType)
        self.preferredDate = date
        self.notes = notes
    }
}

extension CalendarDate {
    /// A date from components already known to be valid.
    public init(year: Int, month: Int, day: Int) {
        self.init(String(format: "%04d-%02d-%02d", year, month, day))!
    }

    /// The UTC calendar day of `date`.
    public init(utc date: Date) {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.year, .month, .day], from: date)
        self.init(year: c.year!, month: c.month!, day: c.day!)
    }
}
