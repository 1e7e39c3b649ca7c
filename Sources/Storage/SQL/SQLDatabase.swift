/// A connection to a SQL database. Only prepared statements with bound parameters exist:
/// there is no API that accepts values inside SQL text.
public protocol SQLConnection: AnyObject {
    /// Runs a statement and returns the number of rows it changed.
    @discardableResult
    func execute(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> Int
    /// Runs a query and returns all rows.
    func query(_ sql: String, _ binds: [SQLValue]) throws(StorageError) -> [SQLRow]
}

/// A versioned schema change. Each driver ships its own list, equivalent across dialects.
public struct Migration: Sendable {
    public var version: Int
    public var name: String
    public var statements: [String]

    public init(version: Int, name: String, statements: [String]) {
        self.version = version
        self.name = name
        self.statements = statements
    }
}

/// A database driver: connections, transactions and the dialect's migrations.
///
/// Drivers wrap blocking C libraries, so every call runs on the driver's own threads,
/// never on an event loop.
public protocol SQLDatabase: Sendable {
    /// The driver's schema history, oldest first.
    var migrations: [Migration] { get }
    /// DDL that creates the `schema_migrations` bookkeeping table if missing.
    var migrationsTableDDL: String { get }
    /// Runs `body` inside one transaction: committed when it returns, rolled back when it throws.
    /// `readOnly` transactions see one consistent snapshot and may not write.
    func transaction<T: Sendable>(readOnly: Bool, _ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// Runs `body` with a connection outside an explicit transaction (DDL, health checks).
    func withConnection<T: Sendable>(_ body: @escaping @Sendable (any SQLConnection) throws -> T) async throws -> T
    /// The server or file settings the platform relies on (durability, strictness, TLS).
    func diagnostics() async throws -> [Diagnostic]
    /// Closes all connections.
    func shutdown() async throws
}

/// One checked setting, reported by `solar doctor`.
public struct Diagnostic: Sendable, Equatable {
    public var name: String
    public var value: String
    public var ok: Bool
    public var expected: String

    public init(name: String, value: String, ok: Bool, expected: String) {
        self.name = name
        self.value = value
        self.ok = ok
        self.expected = expected
    }
}
