import App
import ArgumentParser
import Domain
import Foundation
import Hummingbird
import Logging
import MySQLStorage
import SolarSecurity
import Storage

/// The `solar` command: serve the platform, migrate the database, manage accounts.
@main
struct Solar: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "solar",
        abstract: "SolarDispatch: on-demand solar-panel installation platform.",
        subcommands: [Serve.self, Migrate.self, Doctor.self, Grants.self, Accounts.self, Staff.self, Audit.self, Keys.self, Mail.self, Routes.self, Bench.self]
    )
}

/// Reads and validates the configuration, and sets up JSON logging.
func loadConfig() throws -> (AppConfig, Logger) {
    let config: AppConfig
    do {
        config = try AppConfig.fromEnvironment()
    } catch {
        throw ValidationError("configuration refused: \(error.description)")
    }
    let level = Logger.Level(rawValue: config.logLevel) ?? .info
    LoggingSystem.bootstrap { label in JSONLogHandler(label: label, level: level) }
    return (config, Logger(label: "solar"))
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Serve the API and web interface.")

    @Option(help: "Port to listen on (overrides PORT).")
    var port: Int?

    func run() async throws {
        var (config, logger) = try loadConfig()
        if let port {
            guard (1...65535).contains(port) else { throw ValidationError("--port must be 1...65535") }
            config.port = port
        }
        let services = try await makeServices(config: config, logger: logger)
        logger.info("starting", metadata: ["host": .string(config.host), "port": .stringConvertible(config.port), "environment": .string(config.environment.rawValue)])
        try await buildApplication(services: services).runService()
        // In-flight requests have finished; now the database can close.
        try await services.store.shutdown()
        logger.info("stopped")
    }
}

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Apply pending database migrations.")

    @Flag(help: "Only report whether migrations are pending (exit 1 if so).")
    var check = false

    func run() async throws {
        let (config, logger) = try loadConfig()
        let store = try openStore(config: config, logger: logger, forMigration: !check)
        defer { Task { try? await store.shutdown() } }
        if check {
            let current = try await store.isMigrated()
            print(current ? "schema is current" : "migrations are pending")
            if !current { throw ExitCode(1) }
            return
        }
        let applied = try await store.migrate()
        logger.info("migrate", metadata: ["applied": .string(applied.map(String.init).joined(separator: ","))])
        print(applied.isEmpty ? "schema is current" : "applied migrations: \(applied.map(String.init).joined(separator: ", "))")
    }
}

struct Doctor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the database settings the platform relies on (durability, strict mode, TLS, WAL).",
        discussion: "Exits 1 when a setting is not as required."
    )

    func run() async throws {
        let (config, logger) = try loadConfig()
        let store = try openStore(config: config, logger: logger)
        let report = try await store.diagnostics()
        try? await store.shutdown()
        for item in report {
            print("\(item.ok ? "ok  " : "FAIL") \(item.name) = \(item.value) (expected \(item.expected))")
        }
        if report.contains(where: { !$0.ok }) { throw ExitCode(1) }
    }
}

struct Grants: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "grants",
        abstract: "Print the MySQL GRANT statements for the application user (least privilege).",
        discussion: "Run them as the migration or admin user after `solar migrate`. See docs/mysql.md."
    )

    @Option(help: "The application's MySQL user.") var user: String
    @Option(help: "The host part of the account, e.g. % or 10.0.%.") var host: String = "%"
    @Option(help: "The database (schema) name.") var database: String

    func run() throws {
        guard let statements = MySQLGrants.statements(database: database, user: user, host: host) else {
            throw ValidationError("user, host and database must be plain identifiers")
        }
        statements.forEach { print($0 + ";") }
    }
}

struct Staff: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Staff access oversight.", subcommands: [Review.self])

    struct Review: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Access review: every staff account with role, MFA, last login, dormancy (30 days) and open break-glass grants."
        )

        func run() async throws {
            let (config, logger) = try loadConfig()
            let services = try await makeServices(config: config, logger: logger)
            print(try await staffReviewReport(services: services))
            try? await services.store.shutdown()
        }
    }
}

struct Keys: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Encryption keys.", subcommands: [Rotate.self, Reindex.self])

    struct Reindex: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Recompute every blind index (email, phone) under the newest BLIND_INDEX_KEY.",
            discussion: "Put the new key first in BLIND_INDEX_KEY (new,old) and roll it out: lookups try both keys meanwhile. Runs in batches, one transaction each; --after resumes from the last id printed. Drop the old key once it reports done."
        )

        @Option(help: "Accounts per batch.") var batch: Int = 200
        @Option(help: "Resume after this account id (printed by an earlier run).") var after: String?

        func run() async throws {
            let (config, logger) = try loadConfig()
            guard let store = try openStore(config: config, logger: logger) as? SQLStore else { throw ValidationError("unsupported store") }
            var cursor: UUID?
            if let after {
                guard let id = UUID(uuidString: after) else { throw ValidationError("--after must be an account id") }
                cursor = id
            }
            var scanned = 0, changed = 0
            while true {
                let result = try await store.reindexBatch(after: cursor, limit: max(1, batch))
                guard result.scanned > 0 else { break }
                scanned += result.scanned
                changed += result.changed
                cursor = result.last
                print("re-indexed \(changed) of \(scanned) accounts, last id \(cursor?.uuidString.lowercased() ?? "-")")
            }
            try? await store.shutdown()
            print("done: every blind index uses the newest key (\(changed) changed of \(scanned))")
        }
    }

    struct Rotate: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Re-encrypt every protected field under the active key (the first of ENCRYPTION_KEYS).",
            discussion: "Runs in batches, one transaction each, and can be stopped and started again. Put the new key first in ENCRYPTION_KEYS and keep the old ones until this reports nothing left."
        )

        @Option(help: "Rows per table and batch.") var batch: Int = 100

        func run() async throws {
            let (config, logger) = try loadConfig()
            guard let store = try openStore(config: config, logger: logger) as? SQLStore else { throw ValidationError("unsupported store") }
            var totals: [String: Int] = [:]
            while true {
                let counts = try await store.reencryptBatch(limit: max(1, batch))
                let changed = counts.values.reduce(0, +)
                if changed == 0 { break }
                for (table, count) in counts { totals[table, default: 0] += count }
                print("re-encrypted: " + totals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
            }
            try? await store.shutdown()
            print("done: every protected field uses key \(store.protection.cipher.active.id)")
        }
    }
}

struct Mail: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "The local mail sink (development).", subcommands: [List.self])

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Show the emails written to MAIL_DIRECTORY, newest last.")

        func run() async throws {
            let (config, _) = try loadConfig()
            guard config.environment != .production else { throw ValidationError("the mail sink is a development tool") }
            for message in try FileMailSink(directory: config.mailDirectory).messages() {
                print("--- \(message.createdAt.formatted(.iso8601)) to \(message.to)\nSubject: \(message.subject)\n\n\(message.body)\n")
            }
        }
    }
}

struct Accounts: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Manage accounts.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create an installer or staff account (in production: installers and the first two admins only).",
            discussion: """
                Without --password-file the owner is invited: an invitation code (single use, 72 hours) is emailed and printed, \
                and its owner chooses the password at /invitation. In production only the first two administrators get a \
                password from the CLI, read from a file (e.g. a mounted secret), never from the command line and never printed.
                """
        )

        @Option(help: "Email address.") var email: String
        @Option(help: "Role: installer, support, sales, engineer or admin (customer also allowed).") var role: String
        @Option(help: "File whose first line is the password (bootstrap administrators; any role outside production).") var passwordFile: String?
        @Option(help: "Display name.") var name: String = "Staff member"
        @Option(help: "Phone in E.164 format.") var phone: String = "+10000000000"

        func run() async throws {
            let (config, logger) = try loadConfig()
            guard let role = Role(rawValue: role) else { throw ValidationError("unknown role") }
            let email = Formats.normalizedEmail(self.email)
            guard Formats.isValidEmail(email) else { throw ValidationError("invalid email") }
            guard Formats.isValidPhone(phone) else { throw ValidationError("phone must be E.164, e.g. +34600123456") }
            var password: String?
            if let passwordFile {
                guard let contents = FileManager.default.contents(atPath: passwordFile),
                      let line = String(data: contents, encoding: .utf8)?.split(separator: "\n", omittingEmptySubsequences: false).first.map(String.init)
                else { throw ValidationError("cannot read the password file") }
                if let problem = PasswordPolicy.problem(with: line, email: email) { throw ValidationError("password \(problem)") }
                password = line
            }
            var cliConfig = config
            cliConfig.autoMigrate = config.environment != .production
            let services = try await makeServices(config: cliConfig, logger: logger)
            let created = try await createAccountFromCLI(services: services, email: email, name: name, phone: phone, role: role, password: password,
                                                         production: config.environment == .production)
            try? await services.store.shutdown()
            print("created \(role.rawValue) account \(created.account.id.uuidString.lowercased())")
            if let code = created.invitation {
                print("invitation emailed to \(email); code (72 hours, once): \(code)")
                print("the owner chooses a password at /invitation with it")
            }
        }
    }
}
