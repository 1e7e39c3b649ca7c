import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
public import Storage

/// The embedded default database: one SQLite file (WAL, foreign keys on).
///
/// One writer connection on its own thread runs every write transaction (`BEGIN IMMEDIATE`),
/// so writes are serialized; those that wait together share one commit (`SQLiteWriteQueue`). Read-only transactions run on a pool of reader connections, one
/// thread each (`PRAGMA query_only`), which WAL lets read their own snapshot while the writer
/// commits. No call blocks an event loop.
public final class SQLiteDatabase: SQLDatabase {
    private let writerThread: NIOThreadPool
    private let writer: ConnectionBox
    private let writes = SQLiteWriteQueue()
    private let readerThreads: NIOThreadPool
    private let readers: ReaderPool
    /// The database file.
    public let path: String

    /// Opens (creating if needed) the database at `path`; its folder is created with mode 0700.
    /// `readers` read-only connections serve read transactions (default: one per core, at least 2).
    public init(path: String, readers: Int? = nil) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        if !FileManager.default.fileExists(atPath: folder) {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        }
        let isNew = !FileManager.default.fileExists(atPath: path)
        self.path = path
        writer = ConnectionBox(try SQLiteConnection(path: path))
        if isNew {
            // Customer data: readable by this user only. A failure here stops the start.
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        }
        let count = max(1, readers ?? max(2, System.coreCount))
        self.readers = ReaderPool(try (0..<count).map { _ in try SQLiteConnection(path: path, readOnly: true) })
        writerThread = NIOThreadPool(numberOfThreads: 1)
        writerThread.start()
        readerThreads = NIOThreadPool(numberOfThreads: count)
        readerThreads.start()
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
        guard readOnly else { return try await write(body) }
        let readers = self.readers
        return try await readerThreads.runIfActive {
            // As many threads as connections: a job always finds one free.
            let box = readers.take()
            defer { readers.put(box) }
            return try Self.run(box.conn, begin: "BEGIN DEFERRED", body)
        }
    }

    /// A write transaction, committed with the others waiting beside it (`SQLiteWriteQueue`).
    private func write<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        let box = writer, queue = writes
        return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
            let result = WriteResult<T>()
            queue.enqueue(SQLiteWriteQueue.Job(body: { conn in result.value = try body(conn) }, finish: { error in
                if let error {
                    continuation.resume(throwing: error)
                } else if let value = result.value {
                    continuation.resume(returning: value)
                } else {
                    continuation.resume(throwing: StorageError.failure("write finished without a result"))
                }
            }))
            writerThread.submit { state in
                guard case .active = state else {
                    return queue.take(max: .max).forEach { $0.finish(StorageError.unavailable("the database is closed")) }
                }
                queue.drain(box.conn)
            }
        }
    }

    private static func run<T>(_ conn: SQLiteConnection, begin: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        // A transaction left open by a rollback that failed last time is ended first, so one
        // failure cannot make every later BEGIN on this connection fail.
        if conn.isInTransaction { try conn.execute("ROLLBACK", []) }
        try conn.execute(begin, [])
        do {
            let result = try body(conn)
            try conn.execute("COMMIT", [])
            return result
        } catch {
            // The body's error is the one to report. If the rollback fails too, the next
            // transaction on this connection rolls back first (above) and reports it then.
            if conn.isInTransaction {
                do { try conn.execute("ROLLBACK", []) } catch {}
            }
            throw error
        }
    }

    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        let box = writer
        return try await writerThread.runIfActive { try body(box.conn) }
    }

    public func diagnostics() async throws -> [Diagnostic] {
        try await withConnection { conn in
            func pragma(_ name: String) throws -> String {
                guard let row = try conn.query("PRAGMA \(name)", []).first, let value = row.values.first else { return "?" }
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
        try await readerThreads.shutdownGracefully()
        try await writerThread.shutdownGracefully()
    }
}

/// Carries a connection to a database thread; one thread uses it at a time.
private final class ConnectionBox: @unchecked Sendable {
    let conn: SQLiteConnection
    init(_ conn: SQLiteConnection) { self.conn = conn }
}

/// The free reader connections.
private final class ReaderPool: Sendable {
    private let free: NIOLockedValueBox<[ConnectionBox]>

    init(_ connections: [SQLiteConnection]) {
        free = NIOLockedValueBox(connections.map(ConnectionBox.init))
    }

    func take() -> ConnectionBox {
        free.withLockedValue { $0.removeLast() }
    }

    func put(_ box: ConnectionBox) {
        free.withLockedValue { $0.append(box) }
    }
}
