public import Foundation

/// Applies a driver's pending migrations in order and records each one.
public struct Migrator: Sendable {
    public let database: any SQLDatabase

    public init(database: any SQLDatabase) {
        self.database = database
    }

    /// Versions already applied.
    public func appliedVersions() async throws -> Set<Int> {
        let ddl = database.migrationsTableDDL
        return try await database.withConnection { conn in
            try conn.execute(ddl, [])
            return Set(try conn.query("SELECT version FROM schema_migrations", []).map { Int(try $0.int("version")) })
        }
    }

    /// Applies every pending migration; returns the versions applied now.
    @discardableResult
    public func migrate(now: Date = Date()) async throws -> [Int] {
        let applied = try await appliedVersions()
        var done: [Int] = []
        for migration in database.migrations.sorted(by: { $0.version < $1.version }) where !applied.contains(migration.version) {
            try await database.transaction { conn in
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
        let applied = try await appliedVersions()
        return database.migrations.allSatisfy { applied.contains($0.version) }
    }
}
