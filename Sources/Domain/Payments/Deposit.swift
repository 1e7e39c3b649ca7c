public import Foundation

/// The deposit a customer pays when accepting a quote, before the job is offered to installers.
public enum DepositPolicy {
    /// 20 % of the quote, rounded up to the cent, at least one cent.
    public static func depositCents(forQuoteTotal total: Int64) -> Int64 {
        max(1, (total * 20 + 99) / 100)
    }
}

/// A deposit payment intent at the provider, one per order.
public struct DepositPayment: Sendable, Equatable {
    public enum Status: String, Sendable { case pending, succeeded }

    public var id: UUID
    public var orderID: UUID
    /// The provider's id of the payment intent.
    public var intentID: String
    public var amountCents: Int64
    public var currency: String
    public var status: Status
    public var createdAt: Date
    public var paidAt: Date?

    public init(id: UUID, orderID: UUID, intentID: String, amountCents: Int64, currency: String, status: Status = .pending,
                createdAt: Date, paidAt: Date? = nil) {
        (self.id, self.orderID, self.intentID, self.amountCents) = (id, orderID, intentID, amountCents)
        (self.currency, self.status, self.createdAt, self.paidAt) = (currency, status, createdAt, paidAt)
    }
}
