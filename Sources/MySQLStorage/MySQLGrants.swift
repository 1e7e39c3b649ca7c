/// Least privilege for the application's database user (docs/mysql.md): data access only on
/// the platform's tables, and insert-and-select only on the audit trail. Migrations run as a
/// separate migration user that owns the DDL rights.
public enum MySQLGrants {
    /// Tables the application reads and writes.
    public static let dataTables = [
        "accounts", "sessions", "installer_profiles", "orders", "offers",
        "refresh_tokens", "mfa_totp", "recovery_codes", "login_throttle", "one_time_tokens", "outbox_emails", "email_change_requests", "break_glass_grants",
        "role_grants", "idempotency_keys", "payments", "payment_events",
    ]

    /// GRANT statements for `user`@`host` on `database`. Names must be plain identifiers
    /// (`MySQLOptions.isIdentifier`); host may also contain `.`, `%` and `:`.
    public static func statements(database: String, user: String, host: String) -> [String]? {
        guard MySQLOptions.isIdentifier(database), MySQLOptions.isIdentifier(user),
              !host.isEmpty, host.count <= 60, host.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || ".%:-_".contains($0)) })
        else { return nil }
        let who = "'\(user)'@'\(host)'"
        return dataTables.map { "GRANT SELECT, INSERT, UPDATE, DELETE ON `\(database)`.`\($0)` TO \(who)" }
            + [
                "GRANT SELECT, INSERT ON `\(database)`.`audit_events` TO \(who)",
                "GRANT SELECT ON `\(database)`.`schema_migrations` TO \(who)",
                "GRANT SELECT, UPDATE ON `\(database)`.`audit_chain_head` TO \(who)",
            ]
    }
}
