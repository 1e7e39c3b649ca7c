import Foundation
public import Domain
import MySQLStorage
import Security
public import Storage

/// Tests of the audit trail act as the insider of the threat model: someone who owns the
/// database (SQLite: the file, so the append-only triggers can be dropped; MySQL: the admin
/// user, beyond the application's grants).
extension TestDatabase {
    /// A store, its application-level database, and the same database with the owner's rights.
    public static func tamperableStore(
        _ kind: Kind, onAudit: @escaping @Sendable (AuditEvent) -> Void = { _ in }
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
