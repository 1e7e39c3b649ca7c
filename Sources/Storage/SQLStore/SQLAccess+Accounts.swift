import Domain
import Foundation
import SolarSecurity

extension SQLAccess {
    static let accountColumns = "id, email, name, phone, role, password_hash, created_at, email_verified_at, locked_at, pii_ciphertext"

    /// The stored form of an account's personal data: blind indexes, a placeholder name and the ciphertext.
    func protectedPII(_ a: Account) throws -> [SQLValue] {
        let pii = FieldProtection.AccountPII(email: a.email, name: a.name, phone: a.phone)
        return [.text(protection.index.email(a.email)), .text("*"), .text(protection.index.phone(a.phone)),
                .text(try protection.seal(pii, context: FieldProtection.accountContext(UUIDText.string(a.id))))]
    }

    func insertAccount(_ a: Account) throws {
        let pii = try protectedPII(a)
        try conn.execute(
            "INSERT INTO accounts (\(Self.accountColumns)) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [.uuid(a.id), pii[0], pii[1], pii[2], .text(a.role.rawValue), .text(a.passwordHash), .date(a.createdAt),
             .date(a.emailVerifiedAt), .date(a.lockedAt), pii[3]]
        )
    }

    func account(id: UUID) throws -> Account? {
        try conn.query("SELECT \(Self.accountColumns) FROM accounts WHERE id = ?", [.uuid(id)]).first.map(account(from:))
    }

    /// Finds an account by its blind index (rows written before encryption match by plaintext).
    /// During a blind-index rotation every key's index is tried.
    func account(email: String) throws -> Account? {
        let candidates = protection.index.emails(email) + [email]
        return try conn.query("SELECT \(Self.accountColumns) FROM accounts WHERE email IN (\(Self.placeholders(candidates.count)))",
                              candidates.map(SQLValue.text)).first.map(account(from:))
    }

    static func placeholders(_ count: Int) -> String { Array(repeating: "?", count: count).joined(separator: ", ") }

    /// Exact search by email or phone through the blind indexes: encrypted names and addresses
    /// cannot be searched, by design. The text is only ever a bound parameter.
    func searchCustomers(query: String, limit: Int) throws -> [Account] {
        let email = query.trimmingCharacters(in: .whitespaces).lowercased()
        let phone = query.filter { !$0.isWhitespace }
        let emails = protection.index.emails(email) + [email], phones = protection.index.phones(phone) + [phone]
        return try conn.query(Self.customerSearchSQL(emails: emails.count, phones: phones.count),
                              emails.map(SQLValue.text) + phones.map(SQLValue.text) + [.int(Int64(limit))]).map(account(from:))
    }

    /// Both sides are index lookups (the unique email, `accounts_by_phone`), whatever the table's size.
    static func customerSearchSQL(emails: Int, phones: Int) -> String {
        """
        SELECT \(accountColumns) FROM accounts
        WHERE role = 'customer' AND (email IN (\(placeholders(emails))) OR phone IN (\(placeholders(phones))))
        ORDER BY created_at DESC, id LIMIT ?
        """
    }

    /// Decrypts an account row (falls back to plaintext columns for rows not yet encrypted).
    func account(from row: SQLRow) throws -> Account {
        var account = try Self.account(row)
        if let ciphertext = try row.optionalString("pii_ciphertext") {
            let pii = try protection.openStored(FieldProtection.AccountPII.self, ciphertext, context: FieldProtection.accountContext(UUIDText.string(account.id)))
            (account.email, account.name, account.phone) = (pii.email, pii.name, pii.phone)
        }
        return account
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
