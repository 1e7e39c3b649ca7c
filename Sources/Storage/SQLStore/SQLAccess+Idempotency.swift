import Foundation

extension SQLAccess {
    static let idempotencyColumns = "account_id, idem_key, fingerprint, status, body, created_at, expires_at"

    func deleteExpiredIdempotencyKeys(accountID: UUID, now: Date) throws {
        try conn.execute("DELETE FROM idempotency_keys WHERE account_id = ? AND expires_at <= ?", [.uuid(accountID), .date(now)])
    }

    func insertIdempotencyKey(_ r: IdempotencyRecord) throws {
        try conn.execute(
            "INSERT INTO idempotency_keys (\(Self.idempotencyColumns)) VALUES (?, ?, ?, ?, ?, ?, ?)",
            [.uuid(r.accountID), .text(r.key), .text(r.fingerprint), r.status.map { .int(Int64($0)) } ?? .null,
             .optionalText(r.bodyCiphertext), .date(r.createdAt), .date(r.expiresAt)]
        )
    }

    func idempotencyKey(accountID: UUID, key: String) throws -> IdempotencyRecord? {
        try conn.query("SELECT \(Self.idempotencyColumns) FROM idempotency_keys WHERE account_id = ? AND idem_key = ?",
                       [.uuid(accountID), .text(key)]).first.map { row in
            IdempotencyRecord(
                accountID: try row.uuid("account_id"), key: try row.string("idem_key"), fingerprint: try row.string("fingerprint"),
                status: try row.optionalInt("status").map(Int.init), bodyCiphertext: try row.optionalString("body"),
                createdAt: try row.date("created_at"), expiresAt: try row.date("expires_at")
            )
        }
    }

    func completeIdempotencyKey(accountID: UUID, key: String, status: Int, bodyCiphertext: String) throws {
        try conn.execute(
            "UPDATE idempotency_keys SET status = ?, body = ? WHERE account_id = ? AND idem_key = ? AND status IS NULL",
            [.int(Int64(status)), .text(bodyCiphertext), .uuid(accountID), .text(key)]
        )
    }

    func deleteIdempotencyKey(accountID: UUID, key: String) throws {
        try conn.execute("DELETE FROM idempotency_keys WHERE account_id = ? AND idem_key = ? AND status IS NULL", [.uuid(accountID), .text(key)])
    }
}
