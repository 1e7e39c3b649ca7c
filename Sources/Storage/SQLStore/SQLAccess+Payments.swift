import Domain
import Foundation

extension SQLAccess {
    static let paymentColumns = "id, order_id, intent_id, amount_cents, currency, status, created_at, paid_at"

    func insertPayment(_ p: DepositPayment) throws {
        try conn.execute(
            "INSERT INTO payments (\(Self.paymentColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [.uuid(p.id), .uuid(p.orderID), .text(p.intentID), .int(p.amountCents), .text(p.currency), .text(p.status.rawValue),
             .date(p.createdAt), .date(p.paidAt)]
        )
    }

    func payment(orderID: UUID) throws -> DepositPayment? {
        try conn.query("SELECT \(Self.paymentColumns) FROM payments WHERE order_id = ?", [.uuid(orderID)]).first.map(Self.payment)
    }

    func payment(intentID: String) throws -> DepositPayment? {
        try conn.query("SELECT \(Self.paymentColumns) FROM payments WHERE intent_id = ?", [.text(intentID)]).first.map(Self.payment)
    }

    func recordPaymentEvent(id: String, intentID: String, at: Date) throws {
        try conn.execute("INSERT INTO payment_events (event_id, intent_id, received_at) VALUES (?, ?, ?)", [.text(id), .text(intentID), .date(at)])
    }

    func markPaymentSucceeded(id: UUID, at: Date) throws -> Bool {
        try conn.execute("UPDATE payments SET status = 'succeeded', paid_at = ? WHERE id = ? AND status = 'pending'", [.date(at), .uuid(id)]) == 1
    }

    static func payment(_ row: SQLRow) throws -> DepositPayment {
        guard let status = DepositPayment.Status(rawValue: try row.string("status")) else { throw StorageError.corruptRow("status") }
        return DepositPayment(
            id: try row.uuid("id"), orderID: try row.uuid("order_id"), intentID: try row.string("intent_id"),
            amountCents: try row.int("amount_cents"), currency: try row.string("currency"), status: status,
            createdAt: try row.date("created_at"), paidAt: try row.optionalDate("paid_at")
        )
    }
}
