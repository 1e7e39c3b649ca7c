public import Foundation

/// The kinds of roof the pricing rules know.
public enum RoofType: String, Sendable, Codable, CaseIterable {
    case asphaltShingle = "asphalt_shingle"
    case metal
    case tile
    case slate
    case flat
}

/// A postal address of an installation site.
public struct Address: Sendable, Equatable, Codable {
    public var line1: String
    public var line2: String?
    public var city: String
    public var region: String
    public var postalCode: String
    /// ISO 3166-1 alpha-2 country code.
    public var country: String

    public init(line1: String, line2: String?, city: String, region: String, postalCode: String, country: String) {
        self.line1 = line1
        self.line2 = line2
        self.city = city
        self.region = region
        self.postalCode = postalCode
        self.country = country
    }
}

/// A calendar day ("YYYY-MM-DD"), independent of time zones.
public struct CalendarDate: Sendable, Equatable, Hashable, Comparable, CustomStringConvertible {
    public let year: Int
    public let month: Int
    public let day: Int

    /// Parses a strict `YYYY-MM-DD` string and rejects impossible days.
    public init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.count == 10, parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
              let y = Int(parts[0]), let m = Int(parts[1]), let d = Int(parts[2]),
              (2000...2200).contains(y), (1...12).contains(m), d >= 1, d <= Self.daysIn(month: m, year: y)
        else { return nil }
        (year, month, day) = (y, m, d)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    public var description: String {
        let pad = { (n: Int, w: Int) in String(repeating: "0", count: max(0, w - String(n).count)) + String(n) }
        return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
    }

    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }
}

/// What the customer asked to have installed.
public struct InstallationSpec: Sendable, Equatable {
    /// System size in tenths of a kilowatt (6.5 kW is 65) so pricing stays in integers.
    public var systemSizeDeciKw: Int
    public var panelCount: Int
    public var roofType: RoofType

    public init(systemSizeDeciKw: Int, panelCount: Int, roofType: RoofType) {
        self.systemSizeDeciKw = systemSizeDeciKw
        self.panelCount = panelCount
        self.roofType = roofType
    }

    public var systemSizeKw: Double { Double(systemSizeDeciKw) / 10 }
}

/// A customer's installation order.
public struct Order: Sendable, Equatable {
    public var id: UUID
    public var customerID: UUID
    public var status: OrderStatus
    public var address: Address
    public var location: GeoPoint
    public var spec: InstallationSpec
    public var preferredDate: CalendarDate?
    public var notes: String?
    public var quote: Quote
    public var installerID: UUID?
    public var scheduledDate: CalendarDate?
    public var createdAt: Date
    public var updatedAt: Date

    public init(
        id: UUID, customerID: UUID, status: OrderStatus, address: Address, location: GeoPoint,
        spec: InstallationSpec, preferredDate: CalendarDate?, notes: String?, quote: Quote,
        installerID: UUID?, scheduledDate: CalendarDate?, createdAt: Date, updatedAt: Date
    ) {
        self.id = id
        self.customerID = customerID
        self.status = status
        self.address = address
        self.location = location
        self.spec = spec
        self.preferredDate = preferredDate
        self.notes = notes
        self.quote = quote
        self.installerID = installerID
        self.scheduledDate = scheduledDate
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }
}
