public import Foundation

/// The `Store` for any SQL driver. Queries are written once in portable SQL with `?`
/// placeholders; dialect differences stay in the drivers and their migrations.
public struct SQLStore: Store {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreAccess) throws -> T) async throws -> T {
        try await database.transaction(readOnly: true) { conn in try body(SQLAccess(conn: conn)) }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreAccess) throws -> T) async throws -> T {
        try await database.transaction(readOnly: false) { conn in try body(SQLAccess(conn: conn)) }
    }

    public func ping() async throws {
        _ = try await database.withConnection { conn in try conn.query("SELECT 1 AS ok", []).count }
    }

    public func migrate() async throws -> [Int] {
        try await Migrator(database: database).migrate()
    }

    public func isMigrated() async throws -> Bool {
        try await Migrator(database: database).isUpToDate()
    }

    public func diagnostics() async throws -> [Diagnostic] {
        try await database.diagnostics()
    }

    public func shutdown() async throws {
        try await database.shutdown()
    }
}

/// `StoreAccess` over one connection inside a transaction.
struct SQLAccess: StoreAccess {
    let conn: any SQLConnection

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return encoder
    }()

    func json<T: Encodable>(_ value: T) throws -> SQLValue {
        .text(String(decoding: try Self.encoder.encode(value), as: UTF8.self))
    }

    func decodeJSON<T: Decodable>(_ type: T.Type, _ text: String, column: String) throws -> T {
        do {
            return try JSONDecoder().decode(type, from: Data(text.utf8))
        } catch {
            throw StorageError.corruptRow(column)
        }
    }
}
