public import Foundation
public import Domain
public import SolarSecurity

/// The `Store` for any SQL driver. Queries are written once in portable SQL with `?`
/// placeholders; dialect differences stay in the drivers and their migrations.
public struct SQLStore: Store {
    public let database: any SQLDatabase
    let chain: AuditChain
    public let protection: FieldProtection
    let onAudit: @Sendable (ChainedAuditEvent) -> Void

    /// `chain` signs audit entries; `protection` encrypts personal data; `onAudit` receives each
    /// committed audit event with its place in the chain (the app writes them as JSON lines for
    /// the external log store).
    public init(database: any SQLDatabase, auditChain: AuditChain, protection: FieldProtection,
                onAudit: @escaping @Sendable (ChainedAuditEvent) -> Void = { _ in }) {
        self.database = database
        self.chain = auditChain
        self.protection = protection
        self.onAudit = onAudit
    }

    public func read<T: Sendable>(_ body: @escaping @Sendable (any StoreAccess) throws -> T) async throws -> T {
        let chain = self.chain, protection = self.protection
        return try await database.transaction(readOnly: true) { conn in
            try body(SQLAccess(conn: conn, chain: chain, protection: protection, appended: AuditCollector()))
        }
    }

    public func write<T: Sendable>(_ body: @escaping @Sendable (any StoreAccess) throws -> T) async throws -> T {
        let chain = self.chain, protection = self.protection
        let collector = AuditCollector()
        let result = try await database.transaction(readOnly: false) { conn in
            collector.reset()
            return try body(SQLAccess(conn: conn, chain: chain, protection: protection, appended: collector))
        }
        collector.events.forEach(onAudit)
        return result
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

/// A committed audit event with its sequence and entry hash in the chain.
public struct ChainedAuditEvent: Sendable, Equatable {
    public var event: AuditEvent
    public var seq: Int64
    public var entryHash: String

    public init(event: AuditEvent, seq: Int64, entryHash: String) {
        self.event = event
        self.seq = seq
        self.entryHash = entryHash
    }
}

/// Audit events appended in the current transaction attempt (published after commit).
final class AuditCollector: @unchecked Sendable {
    private(set) var events: [ChainedAuditEvent] = []
    func append(_ event: ChainedAuditEvent) { events.append(event) }
    func reset() { events.removeAll() }
}

/// `StoreAccess` over one connection inside a transaction.
struct SQLAccess: StoreAccess {
    let conn: any SQLConnection
    let chain: AuditChain
    let protection: FieldProtection
    let appended: AuditCollector

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
