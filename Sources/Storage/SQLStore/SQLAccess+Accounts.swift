import Domain
import Foundation

extension SQLAccess {
    static let accountColumns = "id, email, name, phone, role, password_hash, created_at, email_verified_at, locked_at"

    func insertAccount(_ a: Account) throws {
        try conn.execute(
            "INSERT INTO accounts (\(Self.accountColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.uuid(a.id), .text(a.email), .text(a.name), .text(a.phone), .text(a.role.rawValue), .text(a.passwordHash), .date(a.createdAt),
             .date(a.emailVerifiedAt), .date(a.lockedAt)]
        )
    }

    func account(id: UUID) throws -> Account? {
        try conn.query("SELECT \(Self.accountColumns) FROM accounts WHERE id = ?", [.uuid(id)]).first.map(Self.account)
    }

    func account(email: String) throws -> Account? {
        try conn.query("SELECT \(Self.accountColumns) FROM accounts WHERE email = ?", [.text(email)]).first.map(Self.account)
    }

    func searchCustomers(query: String, limit: Int) throws -> [Account] {
        // The user's text is a bound parameter; LIKE wildcards in it are escaped with `!`
        // (not a backslash, which MySQL string literals would treat as an escape themselves).
        let escaped = query.lowercased()
            .replacingOccurrences(of: "!", with: "!!")
            .replacingOccurrences(of: "%", with: "!%")
            .replacingOccurrences(of: "_", with: "!_")
        let pattern = SQLValue.text("%" + escaped + "%")
        return try conn.query(
            """
            SELECT \(Self.accountColumns) FROM accounts
            WHERE role = 'customer'
              AND (email LIKE ? ESCAPE '!' OR LOWER(name) LIKE ? ESCAPE '!' OR phone LIKE ? ESCAPE '!')
            ORDER BY created_at DESC, id LIMIT ?
            """,
            [pattern, pattern, pattern, .int(Int64(limit))]
        ).map(Self.account)
    }

    static func account(_ row: SQLRow) throws -> Account {
        guard let role = Role(rawValue: try row.string("role")) else { throw StorageError.corruptRow("role") }
        return Account(
            id: try row.uuid("id"), email: try row.string("email"), name: try row.string("name"),
            phone: try row.string("phone"), role: role, passwordHash: try row.string("password_hash"),
            createdAt: try row.date("created_at"), emailVerifiedAt: try row.optionalDate("email_verified_at"),
            lockedAt: try row.optionalDate("locked_at")
        )
    }
}
