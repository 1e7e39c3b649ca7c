public import Foundation
public import MySQLStorage
public import SolarSecurity
import SQLiteStorage
public import Storage
public import Domain

/// Fresh, migrated databases for tests, of each kind the machine offers.
///
/// MySQL is available when `SOLAR_TEST_MYSQL_HOST` and friends are set (`make test` starts
/// a throw-away MariaDB server and sets them). Every MySQL test database gets its own
/// least-privileged application user with the production grants, so tests run with exactly
/// the rights the application has in production.
public enum TestDatabase {
    public enum Kind: String, Sendable, CaseIterable, CustomStringConvertible {
        case sqlite
        case mysql
        public var description: String { rawValue }
    }

    static var env: [String: String] { ProcessInfo.processInfo.environment }

    /// The audit chain key of test stores.
    public static let auditChain = AuditChain(key: SecureRandom.bytes(32))!
    /// The field protection of test stores.
    public static let protection = FieldProtection(
        cipher: FieldCipher(keyRing: FieldCipher.generateKeyEntry(id: "test1"))!, index: BlindIndex(base64: BlindIndex.generateKey())!
    )

    /// A store over a fresh database of `kind`.
    public static func store(_ kind: Kind, onAudit: @escaping @Sendable (ChainedAuditEvent) -> Void = { _ in }) async throws -> (store: SQLStore, database: any SQLDatabase) {
        let database = try await make(kind)
        return (SQLStore(database: database, auditChain: auditChain, protection: protection, onAudit: onAudit), database)
    }

    /// True when a MariaDB/MySQL server for tests is configured.
    public static var mysqlAvailable: Bool { env["SOLAR_TEST_MYSQL_HOST"] != nil }

    /// The kinds to run storage tests against on this machine.
    public static var kinds: [Kind] { mysqlAvailable ? [.sqlite, .mysql] : [.sqlite] }

    /// The kind `SOLAR_TEST_DATABASE` names for the HTTP tests (default SQLite).
    public static var selected: Kind { Kind(rawValue: env["SOLAR_TEST_DATABASE"] ?? "sqlite") ?? .sqlite }

    /// A migrated empty database of `kind`, reached as the application would reach it.
    public static func make(_ kind: Kind) async throws -> any SQLDatabase {
        switch kind {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("solar-test-\(UUID().uuidString)/db.sqlite").path
            let database = try SQLiteDatabase(path: path)
            try await Migrator(database: database).migrate()
            return database
        case .mysql:
            return try await makeMySQL().app
        }
    }

    /// Admin connection options and password for the test server.
    public static func adminOptions(database: String = "mysql") throws -> (MySQLOptions, String) {
        guard let host = env["SOLAR_TEST_MYSQL_HOST"], let port = env["SOLAR_TEST_MYSQL_PORT"].flatMap(Int.init),
              let user = env["SOLAR_TEST_MYSQL_ADMIN_USER"], let file = env["SOLAR_TEST_MYSQL_ADMIN_PASSWORD_FILE"]
        else { throw StorageError.unavailable("no MySQL test server configured") }
        let password = try String(contentsOfFile: file, encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)
        return (MySQLOptions(host: host, port: port, user: user, database: database, poolSize: 2), password)
    }

    /// A new database with its own application user holding the production grants.
    /// Returns the application's view and the names used.
    public static func makeMySQL() async throws -> (app: MySQLDatabase, database: String, appUser: String, appPassword: String) {
        let suffix = String(UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(12))
        let name = "solar_t_\(suffix)", appUser = "app_\(suffix)"
        let appPassword = Base64URL.encode(SecureRandom.bytes(18)).replacingOccurrences(of: "-", with: "x").replacingOccurrences(of: "_", with: "y")
        let (adminOptions, adminPassword) = try adminOptions()
        let admin = MySQLDatabase(options: adminOptions, password: adminPassword)
        // Names are generated here, never taken from input; MySQL cannot bind identifiers.
        _ = try await admin.withConnection { conn in
            try conn.execute("CREATE DATABASE `\(name)` CHARACTER SET utf8mb4 COLLATE utf8mb4_bin", [])
            try conn.execute("CREATE USER '\(appUser)'@'\(adminOptions.host)' IDENTIFIED BY '\(appPassword)'", [])
        }
        try await admin.shutdown()
        var migratorOptions = adminOptions
        migratorOptions.database = name
        let migrator = MySQLDatabase(options: migratorOptions, password: adminPassword)
        try await Migrator(database: migrator).migrate()
        let grants = MySQLGrants.statements(database: name, user: appUser, host: adminOptions.host) ?? []
        _ = try await migrator.withConnection { conn in
            for grant in grants { try conn.execute(grant, []) }
        }
        try await migrator.shutdown()
        var appOptions = migratorOptions
        appOptions.user = appUser
        appOptions.poolSize = 4
        return (MySQLDatabase(options: appOptions, password: appPassword), name, appUser, appPassword)
    }
}
