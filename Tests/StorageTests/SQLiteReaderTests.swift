import Foundation
import SQLiteStorage
import Storage
import Testing

/// SQLite serves read transactions from reader connections beside the single writer: reads
/// go on while a write transaction is open, and a reader cannot write.
@Suite("SQLite readers beside the writer")
struct SQLiteReaderTests {
    func database() async throws -> SQLiteDatabase {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("readers-\(UUID().uuidString)/db.sqlite").path
        let database = try SQLiteDatabase(path: path, readers: 2)
        try await database.withConnection { conn in try conn.execute("CREATE TABLE t (n INTEGER NOT NULL) STRICT", []) }
        try await database.transaction(readOnly: false) { conn in try conn.execute("INSERT INTO t (n) VALUES (1)", []) }
        return database
    }

    @Test("a read does not wait for an open write transaction, and sees the last commit")
    func readsDuringWrite() async throws {
        let database = try await database()
        let (started, release) = (DispatchSemaphore(value: 0), DispatchSemaphore(value: 0))
        let write = Task {
            try await database.transaction(readOnly: false) { conn in
                try conn.execute("INSERT INTO t (n) VALUES (2)", [])
                started.signal()
                // Holds the write transaction open until the read below has finished.
                release.wait()
            }
        }
        started.wait()
        let seen = try await database.transaction(readOnly: true) { conn in try conn.query("SELECT COUNT(*) AS c FROM t", [])[0].int("c") }
        release.signal()
        try await write.value
        #expect(seen == 1, "the reader sees the committed snapshot, not the open write")
        let after = try await database.transaction(readOnly: true) { conn in try conn.query("SELECT COUNT(*) AS c FROM t", [])[0].int("c") }
        #expect(after == 2)
        try await database.shutdown()
    }

    @Test("a read transaction cannot write")
    func readersRefuseWrites() async throws {
        let database = try await database()
        await #expect(throws: StorageError.self) {
            try await database.transaction(readOnly: true) { conn in try conn.execute("INSERT INTO t (n) VALUES (3)", []) }
        }
        let count = try await database.transaction(readOnly: true) { conn in try conn.query("SELECT COUNT(*) AS c FROM t", [])[0].int("c") }
        #expect(count == 1)
        try await database.shutdown()
    }

    @Test("every connection keeps temporary tables and statement journals in memory, never in a temp file")
    func tempStoreInMemory() async throws {
        let database = try await database()
        // 2 is MEMORY: sorts and statement journals holding row contents never land in /var/tmp.
        let reader = try await database.transaction(readOnly: true) { conn in try conn.query("PRAGMA temp_store", [])[0].values.first }
        let writer = try await database.transaction(readOnly: false) { conn in try conn.query("PRAGMA temp_store", [])[0].values.first }
        #expect(reader == .int(2) && writer == .int(2))
        try await database.shutdown()
    }
}
