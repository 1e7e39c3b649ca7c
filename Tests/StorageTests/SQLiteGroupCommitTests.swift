import Foundation
import SQLiteStorage
import Storage
import Testing

/// Concurrent writes share commits, but each keeps the meaning of its own transaction: what a
/// failed one wrote is undone, the others in its batch are kept, and each caller gets its own
/// result.
@Suite("SQLite group commit")
struct SQLiteGroupCommitTests {
    struct Refused: Error {}

    @Test("in a crowd of writes, the failing ones leave nothing and the rest are all kept")
    func failuresStayAlone() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("group-\(UUID().uuidString)/db.sqlite").path
        let database = try SQLiteDatabase(path: path, readers: 2)
        try await database.withConnection { conn in
            try conn.execute("CREATE TABLE t (n INTEGER NOT NULL UNIQUE) STRICT", [])
        }
        let outcomes = await withTaskGroup(of: (Int, Result<Int, any Error>).self) { group in
            for n in 0..<300 {
                group.addTask {
                    do {
                        let value = try await database.transaction(readOnly: false) { conn -> Int in
                            try conn.execute("INSERT INTO t (n) VALUES (?)", [.int(Int64(n))])
                            // Every third write fails after writing: a thrown error, or a constraint.
                            if n % 6 == 0 { throw Refused() }
                            if n % 6 == 3 { try conn.execute("INSERT INTO t (n) VALUES (?)", [.int(Int64(n))]) }
                            return n * 10
                        }
                        return (n, .success(value))
                    } catch {
                        return (n, .failure(error))
                    }
                }
            }
            var all: [(Int, Result<Int, any Error>)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        for (n, outcome) in outcomes {
            switch outcome {
            case .success(let value): #expect(n % 3 != 0 && value == n * 10, "\(n)")
            case .failure(let error):
                #expect(n % 3 == 0, "\(n): \(error)")
                #expect(n % 6 == 0 ? error is Refused : error is StorageError, "\(n): \(error)")
            }
        }
        let stored = try await database.transaction(readOnly: true) { conn in
            try conn.query("SELECT n FROM t ORDER BY n", []).map { try $0.int("n") }
        }
        #expect(stored == (0..<300).filter { $0 % 3 != 0 }.map(Int64.init))
        try await database.shutdown()
    }

    @Test("after shutdown a write is refused, not left waiting")
    func closed() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("group-\(UUID().uuidString)/db.sqlite").path
        let database = try SQLiteDatabase(path: path, readers: 1)
        try await database.shutdown()
        await #expect(throws: StorageError.self) {
            try await database.transaction(readOnly: false) { conn in try conn.execute("CREATE TABLE x (n INTEGER) STRICT", []) }
        }
    }
}
