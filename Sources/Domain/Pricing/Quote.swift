/// One priced line of a quote.
public struct QuoteLine: Sendable, Equatable, Codable {
    public var code: String
    public var description: String
    public var amountCents: Int64

    public init(code: String, description: String, amountCents: Int64) {
        self.code = code
        self.description = description
        self.amountCents = amountCents
    }
}

/// A price for an installation, in integer minor units of one currency.
public struct Quote: Sendable, Equatable, Codable {
    public var currency: String
    public var lines: [QuoteLine]
    public var totalCents: Int64

    public init(currency: String, lines: [QuoteLine]) {
        self.currency = currency
        self.lines = lines
        self.totalCents = lines.reduce(0) { $0 + $1.amountCents }
    }
}
