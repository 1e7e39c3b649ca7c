import Foundation
public import SolarSecurity
import MySQLStorage
public import Storage

/// Tests of the audit trail act as the insider of the threat model: someone who owns the
/// database (SQLite: the file, so the append-only triggers can be dropped; MySQL: the admin
/// user, beyond the application's grants) and, for re-signing, also holds `AUDIT_KEY`.
extension TestDatabase {
    /// A store, its application-level database, and the same database with the owner's rights.
    public static func tamperableStore(
        _ kind: Kind, onAudit: @escaping @Sendable (ChainedAuditEvent) -> Void = { _ in }
    ) async throws -> (store: SQLStore, database: any SQLDatabase, owner: any SQLDatabase) {
        switch kind {
        case .sqlite:
            let (store, database) = try await store(.sqlite, onAudit: onAudit)
            try await database.withConnection { conn in
                try conn.execute("DROP TRIGGER audit_events_no_update", [])
                try conn.execute("DROP TRIGGER audit_events_no_delete", [])
            }
            return (store, database, database)
        case .mysql:
            let (app, name, _, _) = try await makeMySQL()
            let (options, password) = try adminOptions(database: name)
            let store = SQLStore(database: app, auditChain: auditChain, protection: protection, onAudit: onAudit)
            return (store, app, MySQLDatabase(options: options, password: password))
        }
    }
}

/// Rewrites the chain as an insider holding the audit key would: recomputes every entry hash
/// and MAC from `seq` on and signs the head again, so `verifyAuditChain` finds nothing.
public struct AuditChainForger: Sendable {
    public let chain: AuditChain

    static let columns = ["id", "occurred_at", "actor_id", "actor_role", "action", "target_type", "target_id", "outcome", "client_ip", "request_id", "detail"]

    public init(chain: AuditChain) {
        self.chain = chain
    }

    public func resign(from seq: Int64, in database: any SQLDatabase) async throws {
        let chain = self.chain
        try await database.transaction(readOnly: false) { conn in
            let before = try conn.query("SELECT seq, entry_hash FROM audit_events WHERE seq < ? ORDER BY seq DESC LIMIT 1", [.int(seq)]).first
            var previous = try before?.optionalString("entry_hash") ?? AuditChain.genesis
            var last = try before?.int("seq") ?? 0
            for row in try conn.query("SELECT * FROM audit_events WHERE seq >= ? ORDER BY seq", [.int(seq)]) {
                let canonical = AuditChain.canonical(try Self.columns.map { column -> String? in
                    switch try row.value(column) {
                    case .null: nil
                    case .int(let i): String(i)
                    case .double(let d): String(d)
                    case .text(let t): t
                    }
                })
                let hash = chain.entryHash(previous: previous, canonical: canonical)
                last = try row.int("seq")
                try conn.execute("UPDATE audit_events SET prev_hash = ?, entry_hash = ?, mac = ? WHERE seq = ?",
                                 [.text(previous), .text(hash), .text(chain.mac(entryHash: hash)), .int(last)])
                previous = hash
            }
            let first = try conn.query("SELECT first_seq FROM audit_chain_head WHERE id = 1", [])[0].int("first_seq")
            try conn.execute("UPDATE audit_chain_head SET last_seq = ?, last_hash = ?, mac = ? WHERE id = 1",
                             [.int(last), .text(previous), .text(chain.headMAC(firstSeq: first, lastSeq: last, lastHash: previous))])
        }
    }
}
