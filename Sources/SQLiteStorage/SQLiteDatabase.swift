import Foundation
import NIOPosix
public import Storage

/// The embedded default database: one SQLite file (WAL, foreign keys on).
///
/// All work runs on one dedicated thread that owns the single connection, so transactions
/// are serialized and never block an event loop. Writes start with `BEGIN IMMEDIATE`.
public final class SQLiteDatabase: SQLDatabase {
    private let pool: NIOThreadPool
    private let connection: ConnectionBox
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`; its folder is created with mode 0700.
    public init(path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let isNew = !FileManager.default.fileExists(atPath: path)
        self.path = path
        connection = ConnectionBox(try SQLiteConnection(path: path))
        if isNew {
            // Customer data: readable by this user only. A failure here stops the start.
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        pool = NIOThreadPool(numberOfThreads: 1)
        pool.start()
    }

    /// Parses `sqlite:PATH` (e.g. `sqlite:./data/solar.sqlite`).
    public static func path(fromURL url: String) -> String? {
        guard url.hasPrefix("sqlite:") else { return nil }
        let path = String(url.dropFirst("sqlite:".count))
        return path.isEmpty ? nil : path
    }

    public var migrations: [Migration] { SQLiteMigrations.all }

    public var migrationsTableDDL: String {
        "CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL) STRICT"
    }

    public func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        let box = connection
        return try await pool.runIfActive {
            try box.conn.execute(readOnly ? "BEGIN DEFERRED" : "BEGIN IMMEDIATE", [])
            do {
                let result = try body(box.conn)
                try box.conn.execute("COMMIT", [])
                return result
            } catch {
                _ = try? box.conn.execute("ROLLBACK", [])
                throw error
            }
        }
    }

    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        let box = connection
        return try await pool.runIfActive { try body(box.conn) }
    }

    public func diagnostics() async throws -> [Diagnostic] {
        try await withConnection { conn in
            func pragma(_ name: String) throws -> String {
                guard let row = try conn.query("PRAGMA \(name)", []).first, let value = row.values.values.first else { return "?" }
                switch value {
                case .int(let i): return String(i)
                case .text(let t): return t
                case .double(let d): return String(d)
                case .null: return "NULL"
                }
            }
            let journal = try pragma("journal_mode"), sync = try pragma("synchronous"), keys = try pragma("foreign_keys")
            return [
                Diagnostic(name: "journal_mode", value: journal, ok: journal == "wal", expected: "wal"),
                Diagnostic(name: "synchronous", value: sync, ok: sync == "2", expected: "2 (FULL)"),
                Diagnostic(name: "foreign_keys", value: keys, ok: keys == "1", expected: "1"),
            ]
        }
    }

    public func shutdown() async throws {
        try await pool.shutdownGracefully()
    }
}

/// Carries the connection to the database thread; only that thread uses it.
private final class ConnectionBox: @unchecked Sendable {
    let conn: SQLiteConnection
    init(_ conn: SQLiteConnection) { self.conn = conn }
}
