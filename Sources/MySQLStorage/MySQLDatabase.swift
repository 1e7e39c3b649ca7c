import Foundation
import NIOPosix
public import Storage
import Synchronization

/// The production database driver over MariaDB Connector/C (works with MySQL 8 and MariaDB).
///
/// A thread pool with one thread per pooled connection runs every blocking C call, so no
/// event loop ever blocks. Connections are created on demand up to `poolSize`, health-checked
/// after being idle, and replaced when broken. A request that waited longer than
/// `acquireTimeout` for a thread fails with `StorageError.unavailable` (HTTP 503).
public final class MySQLDatabase: SQLDatabase {
    public let options: MySQLOptions
    private let password: String?
    private let pool: NIOThreadPool
    private let idle = Mutex<[ConnectionBox]>([])

    public init(options: MySQLOptions, password: String?) {
        self.options = options
        self.password = password
        pool = NIOThreadPool(numberOfThreads: options.poolSize)
        pool.start()
    }

    public var migrations: [Migration] { MySQLMigrations.all }

    public var migrationsTableDDL: String {
        """
        CREATE TABLE IF NOT EXISTS schema_migrations (version INT NOT NULL PRIMARY KEY, name VARCHAR(200) NOT NULL,
        applied_at BIGINT NOT NULL) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_bin
        """
    }

    /// Writes run at READ COMMITTED (correctness comes from conditional updates and row locks),
    /// reads in a REPEATABLE READ read-only snapshot. Deadlocks and lock timeouts are retried,
    /// and so is a transaction whose pooled connection turned out dead before COMMIT was sent
    /// (after a database restart); a failure during COMMIT is never retried, since the commit
    /// may have happened.
    public func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await onPoolThread { [self] in
            var attempt = 0
            while true {
                attempt += 1
                let box = try checkout()
                var committing = false
                do {
                    let conn = box.conn
                    // Set per session, and only when it changes: most transactions are reads
                    // on a connection whose last transaction was a read, and each statement
                    // saved is a round trip to the server.
                    let level = readOnly ? "REPEATABLE READ" : "READ COMMITTED"
                    if conn.sessionIsolation != level {
                        try conn.execute("SET SESSION TRANSACTION ISOLATION LEVEL \(level)", [])
                        conn.sessionIsolation = level
                    }
                    try conn.execute(readOnly ? "START TRANSACTION READ ONLY" : "START TRANSACTION", [])
                    let result = try body(conn)
                    committing = true
                    try conn.commit()
                    checkin(box)
                    return result
                } catch {
                    if !box.conn.broken { box.conn.rollback() }
                    checkin(box)
                    let reconnect = box.conn.broken && !committing
                    if attempt < 3, reconnect || MySQLErrorMap.isRetryable(box.conn.lastErrorCode) { continue }
                    throw error
                }
            }
        }
    }

    public func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T {
        try await withPooledConnection { try body($0) }
    }

    /// Runs `work` on a pool thread, failing when it waited longer than the acquire timeout.
    private func onPoolThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        let enqueued = ContinuousClock.now
        let timeout = options.acquireTimeout
        return try await pool.runIfActive {
            guard ContinuousClock.now - enqueued <= timeout else { throw StorageError.unavailable("connection pool acquire timeout") }
            return try work()
        }
    }

    public func shutdown() async throws {
        idle.withLock { $0.removeAll() }
        try await pool.shutdownGracefully()
    }

    /// Server settings the platform relies on, for `solar doctor`.
    public func diagnostics() async throws -> [Diagnostic] {
        try await withPooledConnection { conn in
            func variable(_ name: String) throws -> String {
                try conn.query("SELECT @@GLOBAL.\(name) AS value", []).first.map { row in
                    switch try row.value("value") {
                    case .int(let i): String(i)
                    case .double(let d): String(d)
                    case .text(let t): t
                    case .null: "NULL"
                    }
                } ?? "?"
            }
            let flush = try variable("innodb_flush_log_at_trx_commit")
            let sync = try variable("sync_binlog")
            let mode = try variable("sql_mode")
            return [
                Diagnostic(name: "innodb_flush_log_at_trx_commit", value: flush, ok: flush == "1", expected: "1"),
                Diagnostic(name: "sync_binlog", value: sync, ok: sync == "1", expected: "1"),
                Diagnostic(name: "strict sql_mode", value: mode, ok: mode.contains("STRICT_ALL_TABLES") || mode.contains("STRICT_TRANS_TABLES"), expected: "STRICT_*_TABLES"),
                Diagnostic(name: "tls", value: conn.cipher ?? "none", ok: conn.cipher != nil || self.options.tls == .disabled,
                           expected: self.options.tls == .disabled ? "any (disabled)" : "a cipher"),
            ]
        }
    }

    private func withPooledConnection<T: Sendable>(_ body: @escaping @Sendable (MySQLConnection) throws -> T) async throws -> T {
        try await onPoolThread { [self] in
            let box = try checkout()
            defer { checkin(box) }
            return try body(box.conn)
        }
    }

    /// An idle connection (pinged if it rested over 30 s) or a new one.
    private func checkout() throws -> ConnectionBox {
        while let box = idle.withLock({ $0.popLast() }) {
            if ContinuousClock.now - box.conn.lastUsed < .seconds(30) || box.conn.ping() { return box }
        }
        return ConnectionBox(try MySQLConnection(options: options, password: password))
    }

    private func checkin(_ box: ConnectionBox) {
        guard !box.conn.broken else { return }
        idle.withLock { $0.append(box) }
    }
}

/// Moves a connection between pool threads; only one thread uses it at a time.
private final class ConnectionBox: @unchecked Sendable {
    let conn: MySQLConnection
    init(_ conn: MySQLConnection) { self.conn = conn }
}
