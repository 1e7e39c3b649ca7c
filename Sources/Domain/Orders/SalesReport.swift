public import Foundation

/// The non-personal facts of one order that sales reporting needs.
public struct SalesFact: Sendable, Equatable {
    public var status: OrderStatus
    public var createdAt: Date
    public var region: String
    public var totalCents: Int64
    public var currency: String

    public init(status: OrderStatus, createdAt: Date, region: String, totalCents: Int64, currency: String) {
        self.status = status
        self.createdAt = createdAt
        self.region = region
        self.totalCents = totalCents
        self.currency = currency
    }

    /// Revenue counts orders an installer has taken on and that were not cancelled.
    public var isRevenue: Bool {
        [.scheduled, .inProgress, .completed].contains(status)
    }
}

/// Aggregated pipeline figures: counts by status, and orders and revenue by ISO week and region.
/// It contains no names, addresses, phones, emails or ids.
public struct SalesReport: Sendable, Equatable {
    public struct Bucket: Sendable, Equatable {
        public var key: String
        public var orders: Int
        public var revenueCents: Int64
    }

    public var currency: String
    /// Share of quoted orders whose quote the customer accepted (0...1; 0 without quotes).
    /// Orders cancelled after acceptance count as not converted: facts carry no history.
    public var quoteConversionRate: Double
    public var byStatus: [(status: OrderStatus, count: Int)]
    public var byWeek: [Bucket]
    public var byRegion: [Bucket]
    /// Orders per ISO week and status, weeks in order (for the stacked chart).
    public var byWeekStatus: [(week: String, counts: [OrderStatus: Int])]

    public init(facts: [SalesFact], currency: String = "EUR") {
        self.currency = currency
        byStatus = OrderStatus.allCases.map { status in (status, facts.filter { $0.status == status }.count) }
        let quoted = facts.filter { $0.status != .requested }.count
        let accepted = facts.filter { [.accepted, .dispatching, .scheduled, .inProgress, .completed].contains($0.status) }.count
        quoteConversionRate = quoted == 0 ? 0 : (Double(accepted) / Double(quoted) * 1000).rounded() / 1000
        byWeek = Self.buckets(facts) { Self.isoWeek($0.createdAt) }
        byRegion = Self.buckets(facts) { $0.region }
        byWeekStatus = Dictionary(grouping: facts) { Self.isoWeek($0.createdAt) }
            .map { week, group in (week, Dictionary(grouping: group, by: \.status).mapValues(\.count)) }
            .sorted { $0.week < $1.week }
    }

    static func buckets(_ facts: [SalesFact], key: (SalesFact) -> String) -> [Bucket] {
        Dictionary(grouping: facts, by: key)
            .map { key, group in
                Bucket(key: key, orders: group.count, revenueCents: group.filter(\.isRevenue).reduce(0) { $0 + $1.totalCents })
            }
            .sorted { $0.key < $1.key }
    }

    /// ISO 8601 week, e.g. `2026-W48`, in UTC.
    public static func isoWeek(_ date: Date) -> String {
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let c = calendar.dateComponents([.yearForWeekOfYear, .weekOfYear], from: date)
        let week = c.weekOfYear!
        return "\(c.yearForWeekOfYear!)-W\(week < 10 ? "0" : "")\(week)"
    }

    public static func == (lhs: SalesReport, rhs: SalesReport) -> Bool {
        lhs.currency == rhs.currency && lhs.quoteConversionRate == rhs.quoteConversionRate && lhs.byWeek == rhs.byWeek && lhs.byRegion == rhs.byRegion
            && lhs.byStatus.map(\.status) == rhs.byStatus.map(\.status) && lhs.byStatus.map(\.count) == rhs.byStatus.map(\.count)
    }
}
