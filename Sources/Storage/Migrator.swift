public import Foundation

/// Applies a driver's pending migrations in order and records each one. Each migration runs
/// in one transaction; on MySQL, DDL commits implicitly, so a migration interrupted half-way
/// must be finished by hand (docs/mysql.md).
public struct Migrator: Sendable {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Versions already applied, or nil when the bookkeeping table does not exist yet.
    /// Only reads, so the application's least-privileged user can call it.
    public func appliedVersions() async throws -> Set<Int>? {
        do {
            return try await database.withConnection { conn in
                Set(try conn.query("SELECT version FROM schema_migrations", []).map { Int(try $0.int("version")) })
            }
        } catch StorageError.failure {
            return nil
        }
    }

    /// Applies every pending migration; returns the versions applied now.
    @discardableResult
    public func migrate(now: Date = Date()) async throws -> [Int] {
        var applied = try await appliedVersions()
        if applied == nil {
            let ddl = database.migrationsTableDDL
            try await database.withConnection { conn in try conn.execute(ddl, []) }
            applied = try await appliedVersions()
        }
        return try await apply(pending: applied ?? [], now: now)
    }

    private func apply(pending applied: Set<Int>, now: Date) async throws -> [Int] {
        var done: [Int] = []
        for migration in database.migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
            try await database.transaction(readOnly: false) { conn in
                for statement in migration.statements {
                    try conn.execute(statement, [])
                }
                try conn.execute(
                    "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
                    [.int(Int64(migration.version)), .text(migration.name), .date(now)]
                )
            }
            done.append(migration.version)
        }
        return done
    }

    /// True when every known migration has been applied.
    public func isUpToDate() async throws -> Bool {
        guard let applied = try await appliedVersions() else { return false }
        return database.migrations.allSatisfy { applied.contains($0.version) }
    }
}
