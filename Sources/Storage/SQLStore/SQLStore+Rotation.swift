import Domain
public import Foundation
import SolarSecurity

extension SQLStore {
    /// Re-encrypts up to `limit` rows per table that are not under the active key (or not
    /// encrypted yet), in one transaction. Returns how many rows each table changed; call it
    /// until everything is zero. Safe to stop and resume at any point.
    public func reencryptBatch(limit: Int = 100) async throws -> [String: Int] {
        let protection = self.protection
        let prefix = "v1:\(protection.cipher.active.id):"
        let stale: @Sendable (String) -> String = { column in "(\(column) IS NULL OR SUBSTR(\(column), 1, ?) <> ?)" }
        let staleBinds: [SQLValue] = [.int(Int64(prefix.count)), .text(prefix)]
        return try await write { access in
            // Anything else would re-encrypt nothing and report success: refuse instead.
            guard let db = access as? SQLAccess else { throw StorageError.failure("key rotation needs the SQL store's own access") }
            var counts: [String: Int] = [:]

            let accounts = try db.conn.query("SELECT \(SQLAccess.accountColumns) FROM accounts WHERE \(stale("pii_ciphertext")) LIMIT ?",
                                             staleBinds + [.int(Int64(limit))]).map(db.account(from:))
            for account in accounts {
                let pii = try db.protectedPII(account)
                try db.conn.execute("UPDATE accounts SET email = ?, name = ?, phone = ?, pii_ciphertext = ? WHERE id = ?",
                                    [pii[0], pii[1], pii[2], pii[3], .uuid(account.id)])
            }
            counts["accounts"] = accounts.count

            let orders = try db.orders(from: db.conn.query("SELECT \(SQLAccess.orderColumns) FROM orders WHERE \(stale("site_ciphertext")) LIMIT ?",
                                                           staleBinds + [.int(Int64(limit))]))
            for order in orders {
                try db.conn.execute(
                    """
                    UPDATE orders SET address_line1 = '*', address_line2 = NULL, postal_code = ?, latitude = ?, longitude = ?,
                           notes = NULL, site_ciphertext = ? WHERE id = ?
                    """,
                    [.text(SQLAccess.postalPrefix(order)), .double(SQLAccess.coarse(order.location.latitude)),
                     .double(SQLAccess.coarse(order.location.longitude)), .text(try db.sealedSite(order)), .uuid(order.id)]
                )
            }
            counts["orders"] = orders.count

            counts["mfa_totp"] = try Self.rekey(db, table: "mfa_totp", key: "account_id", columns: ["secret_ciphertext"], limit: limit, protection: protection) { id, _ in
                "mfa_totp.secret:\(id)"
            }
            counts["email_change_requests"] = try Self.rekey(db, table: "email_change_requests", key: "id", columns: ["new_email_ciphertext"],
                                                             limit: limit, protection: protection) { id, _ in "email_change:\(id)" }
            counts["outbox_emails"] = try Self.rekey(db, table: "outbox_emails", key: "id", columns: ["recipient_ciphertext", "payload_ciphertext"],
                                                     limit: limit, protection: protection) { id, column in
                "outbox:\(id):" + (column == "recipient_ciphertext" ? "to" : "token")
            }
            return counts
        }
    }

    /// Moves the blind indexes (email, phone) of up to `limit` accounts after `after` (in id
    /// order) to the newest key of the ring, recomputed from the decrypted values, in one
    /// transaction. Returns how many rows were read and changed and the last id: call it with
    /// that id until nothing is read. Rows already on the newest key are left alone, so a run can
    /// stop and start again from the beginning or from the last id it printed.
    public func reindexBatch(after: UUID?, limit: Int = 200) async throws -> (scanned: Int, changed: Int, last: UUID?) {
        try await write { access in
            guard let db = access as? SQLAccess else { throw StorageError.failure("re-indexing needs the SQL store's own access") }
            let rows = try db.conn.query(
                "SELECT \(SQLAccess.accountColumns) FROM accounts \(after == nil ? "" : "WHERE id > ?") ORDER BY id LIMIT ?",
                (after.map { [SQLValue.uuid($0)] } ?? []) + [.int(Int64(limit))])
            var changed = 0, last: UUID?
            for row in rows {
                let stored = try SQLAccess.account(row)
                last = stored.id
                guard try row.optionalString("pii_ciphertext") != nil else { continue }  // not encrypted yet: `keys rotate` first
                let account = try db.account(from: row)
                let email = db.protection.index.email(account.email), phone = db.protection.index.phone(account.phone)
                guard stored.email != email || stored.phone != phone else { continue }
                try db.conn.execute("UPDATE accounts SET email = ?, phone = ? WHERE id = ?", [.text(email), .text(phone), .uuid(stored.id)])
                changed += 1
            }
            return (rows.count, changed, last)
        }
    }

    /// Re-encrypts ciphertext columns of a table under the active key, keeping their contexts.
    static func rekey(_ db: SQLAccess, table: String, key: String, columns: [String], limit: Int, protection: FieldProtection,
                      context: (String, String) -> String) throws -> Int {
        let prefix = "v1:\(protection.cipher.active.id):"
        let condition = columns.map { "SUBSTR(\($0), 1, ?) <> ?" }.joined(separator: " OR ")
        let binds = columns.flatMap { _ in [SQLValue.int(Int64(prefix.count)), .text(prefix)] }
        let rows = try db.conn.query("SELECT \(key), \(columns.joined(separator: ", ")) FROM \(table) WHERE \(condition) LIMIT ?", binds + [.int(Int64(limit))])
        for row in rows {
            let id = try row.string(key)
            var values: [SQLValue] = []
            for column in columns {
                let plaintext = try protection.cipher.decrypt(try row.string(column), context: context(id, column))
                values.append(.text(try protection.cipher.encrypt(plaintext, context: context(id, column))))
            }
            let assignments = columns.map { "\($0) = ?" }.joined(separator: ", ")
            try db.conn.execute("UPDATE \(table) SET \(assignments) WHERE \(key) = ?", values + [.text(id)])
        }
        return rows.count
    }
}
