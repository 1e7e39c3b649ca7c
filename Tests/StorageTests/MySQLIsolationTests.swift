import Foundation
import MySQLStorage
import Storage
import StorageTesting
import Testing

/// Reads run in a REPEATABLE READ read-only snapshot and writes at READ COMMITTED, whatever ran
/// on the pooled connection before: the driver sets the level per session only when it changes.
@Suite("MySQL transaction isolation", .enabled(if: TestDatabase.mysqlAvailable))
struct MySQLIsolationTests {
    @Test("each transaction runs at its mode's level, however reads and writes alternate")
    func levels() async throws {
        let database = try await TestDatabase.make(.mysql)
        for readOnly in [true, true, false, false, true, false, true, true] {
            let level = try await database.transaction(readOnly: readOnly) { conn in
                try conn.query("SELECT @@SESSION.tx_isolation AS level", []).first?.string("level")
            }
            #expect(level == (readOnly ? "REPEATABLE-READ" : "READ-COMMITTED"), "readOnly \(readOnly)")
        }
        // Writing inside a read transaction is refused by the server.
        await #expect(throws: StorageError.self) {
            try await database.transaction(readOnly: true) { conn in try conn.execute("UPDATE orders SET notes = notes WHERE id = 'none'", []) }
        }
        try await database.shutdown()
    }
}
