import Domain
import Foundation
@testable import MySQLStorage
import Storage
import StorageTesting
import Testing

/// The application's MySQL user holds only the documented grants (docs/mysql.md).
@Suite("MySQL least privilege", .enabled(if: TestDatabase.mysqlAvailable))
struct MySQLPrivilegeTests {
    @Test("the app user cannot drop tables, run DDL, or change or delete audit events; it can append them")
    func grants() async throws {
        let (app, _, _, _) = try await TestDatabase.makeMySQL()
        let store = SQLStore(database: app, auditChain: TestDatabase.auditChain, protection: TestDatabase.protection)
        let event = AuditEvent(occurredAt: Date(), actorID: UUID(), actorRole: .admin, action: "test.event", outcome: .success)
        try await store.write { db in try db.appendAudit(event) }
        for forbidden in [
            "DROP TABLE orders",
            "DELETE FROM audit_events",
            "UPDATE audit_events SET action = 'erased'",
            "ALTER TABLE accounts ADD COLUMN backdoor INT",
            "CREATE TABLE exfiltrate (x INT)",
            "TRUNCATE TABLE audit_events",
            "GRANT ALL ON *.* TO CURRENT_USER",
        ] {
            await #expect(throws: StorageError.self, "\(forbidden)") {
                try await app.transaction(readOnly: false) { conn in try conn.execute(forbidden, []) }
            }
        }
        #expect(try await store.read { db in try db.auditEvents(limit: 10, offset: 0) }.map(\.id) == [event.id])
        // Ordinary data work is allowed.
        let account = Account(id: UUID(), email: "grant@example.com", name: "G", phone: "+34600000009", role: .customer,
                              passwordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA", createdAt: Date())
        try await store.write { db in try db.insertAccount(account) }
        try await app.transaction(readOnly: false) { conn in
            try conn.execute("DELETE FROM accounts WHERE id = ?", [.uuid(account.id)])
        }
    }

    @Test("grant statements refuse names that are not plain identifiers")
    func grantNames() {
        #expect(MySQLGrants.statements(database: "solar", user: "solar_app", host: "%") != nil)
        #expect(MySQLGrants.statements(database: "solar`; DROP", user: "x", host: "%") == nil)
        #expect(MySQLGrants.statements(database: "solar", user: "x' OR '1", host: "%") == nil)
        #expect(MySQLGrants.statements(database: "solar", user: "x", host: "a'b") == nil)
    }

    @Test("the server keeps the durability settings the platform relies on")
    func durability() async throws {
        let database = try await TestDatabase.make(.mysql)
        let report = try await database.diagnostics()
        #expect(report.first { $0.name == "innodb_flush_log_at_trx_commit" }?.ok == true)
        #expect(report.first { $0.name == "sync_binlog" }?.ok == true)
        #expect(report.first { $0.name == "strict sql_mode" }?.ok == true)
    }

    @Test("a server that is down answers unavailable quickly")
    func unreachable() async throws {
        let closed = MySQLDatabase(options: MySQLOptions(host: "127.0.0.1", port: 1, user: "nobody", database: "none", poolSize: 1), password: nil)
        let start = ContinuousClock.now
        await #expect {
            try await closed.withConnection { conn in try conn.query("SELECT 1", []) }
        } throws: { error in
            if case StorageError.unavailable = error { true } else { false }
        }
        #expect(ContinuousClock.now - start < .seconds(5))
        try await closed.shutdown()
    }

    @Test("the client refuses LOAD DATA LOCAL: MYSQL_OPT_LOCAL_INFILE is off on every connection")
    func noLocalInfile() async throws {
        let (app, _, _, _) = try await TestDatabase.makeMySQL()
        let allows = try await app.transaction(readOnly: true) { conn in try #require(conn as? MySQLConnection).allowsLocalInfile }
        #expect(!allows)
    }
}
