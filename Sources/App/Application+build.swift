public import Foundation
public import Hummingbird
public import Logging
import SolarSecurity
import MySQLStorage
import SQLiteStorage
public import Storage
import Domain
import HTTPTypes
import NIOCore

/// Opens the database (migrating it when configured) and creates the shared services.
public func makeServices(config: AppConfig, logger: Logger) async throws -> AppServices {
    let store = try openStore(config: config, logger: logger)
    if config.autoMigrate {
        let applied = try await store.migrate()
        if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": .string(applied.map(String.init).joined(separator: ","))]) }
    } else if try await !store.isMigrated() {
        throw ConfigError("the database schema is not current; run `solar migrate`")
    }
    // Fail at start, not at the first page, when a resource is missing.
    _ = try BundledGeocoder.shared.get()
    _ = try WebSupport.bundledAssets.get()
    let hasher = try PasswordHasher(threads: config.passwordHashThreads)
    return AppServices(config: config, store: store, hasher: hasher, cipher: try loadKeyRing(config: config, logger: logger),
                       blindIndex: try loadBlindIndex(config: config, logger: logger), logger: logger)
}

/// The blind-index key from `BLIND_INDEX_KEY[_FILE]` (development: a key file beside the database).
func loadBlindIndex(config: AppConfig, logger: Logger) throws -> BlindIndex {
    let text = try config.blindIndexKey ?? developmentSecretFile(config: config, name: "blind-index.key", logger: logger) { BlindIndex.generateKey() }
    guard let index = BlindIndex(base64: text) else { throw ConfigError("BLIND_INDEX_KEY must be a base64 key of at least 32 bytes") }
    return index
}

/// The audit chain key from `AUDIT_KEY[_FILE]`; outside production a key file is created once
/// beside the SQLite database (mode 0600) when none is configured.
func loadAuditChain(config: AppConfig, logger: Logger) throws -> AuditChain {
    let text = try config.auditKey ?? developmentSecretFile(config: config, name: "audit.key", logger: logger) { AuditChain.generateKey() }
    guard let chain = AuditChain(base64: text) else { throw ConfigError("AUDIT_KEY must be a base64 key of at least 32 bytes, or a comma-separated ring of them, newest first") }
    return chain
}

/// A secret kept in a 0600 file beside the SQLite database, created once. Never in production.
func developmentSecretFile(config: AppConfig, name: String, logger: Logger, generate: () -> String) throws -> String {
    guard config.environment != .production else { throw ConfigError("production requires \(name) to be configured") }
    let folder = SQLiteDatabase.path(fromURL: config.databaseURL).map { ($0 as NSString).deletingLastPathComponent } ?? "./data"
    let directory = folder.isEmpty ? "." : folder
    let path = (directory as NSString).appendingPathComponent(name)
    if !FileManager.default.fileExists(atPath: path) {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        guard FileManager.default.createFile(atPath: path, contents: Data((generate() + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError("cannot create the development key file \(name)")
        }
        logger.notice("created a development key file", metadata: ["path": .string(path)])
    }
    guard let data = FileManager.default.contents(atPath: path) else { throw ConfigError("cannot read the development key file \(name)") }
    return String(decoding: data, as: UTF8.self)
}

/// The encryption key ring from `ENCRYPTION_KEYS[_FILE]`. Outside production, when none is
/// configured, a key file is created once beside the SQLite database (mode 0600).
func loadKeyRing(config: AppConfig, logger: Logger) throws -> FieldCipher {
    if let keys = config.encryptionKeys {
        guard let cipher = FieldCipher(keyRing: keys) else { throw ConfigError("ENCRYPTION_KEYS is not a valid key ring") }
        return cipher
    }
    let text = try developmentSecretFile(config: config, name: "encryption.keys", logger: logger) { FieldCipher.generateKeyEntry(id: "dev1") }
    guard let cipher = FieldCipher(keyRing: text) else { throw ConfigError("the development key file is not a valid key ring") }
    return cipher
}

/// The store named by `DATABASE_URL` (or, for migrations, `DATABASE_MIGRATION_URL`). Audit
/// events are chained with the audit key and, once committed, written as JSON lines to the
/// `audit` log for the external log store.
public func openStore(config: AppConfig, logger: Logger, forMigration: Bool = false) throws -> any Store {
    let chain = try loadAuditChain(config: config, logger: logger)
    let protection = FieldProtection(cipher: try loadKeyRing(config: config, logger: logger), index: try loadBlindIndex(config: config, logger: logger))
    let auditLog = AuditStream.logger()
    let onAudit: @Sendable (ChainedAuditEvent) -> Void = { [auditLog] entry in AuditStream.write(entry, to: auditLog) }
    let url = forMigration ? config.migrationDatabaseURL ?? config.databaseURL : config.databaseURL
    let password = forMigration && config.migrationDatabaseURL != nil ? config.migrationDatabasePassword : config.databasePassword
    if let path = SQLiteDatabase.path(fromURL: url) {
        return SQLStore(database: try SQLiteDatabase(path: path), auditChain: chain, protection: protection, onAudit: onAudit)
    }
    guard let options = config.mysqlOptions(url: url) else { throw ConfigError("DATABASE_URL is not a supported database URL") }
    return SQLStore(database: MySQLDatabase(options: options, password: password), auditChain: chain, protection: protection, onAudit: onAudit)
}

/// Composes middleware and routes. Tests call this with their own services.
public func buildRouter(services: AppServices) throws -> Router<AppRequestContext> {
    let web = try WebSupport(config: services.config)
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    if !services.config.weakenedControls.contains("security-headers") {
        router.add(middleware: SecurityHeadersMiddleware(hsts: true))
    }
    router.add(middleware: ProblemMiddleware(services: services, web: web))
    router.add(middleware: HeaderLimitMiddleware())
    router.add(middleware: AllowListCORSMiddleware(allowed: Set(services.config.corsAllowedOrigins)))
    router.add(middleware: BodyLimitMiddleware())
    router.add(middleware: WebOriginMiddleware(web: web))
    router.add(middleware: AuthMiddleware(auth: AuthService(services: services), proxies: services.config.proxyTrust))

    HealthController(services: services).endpoints(router)
    WebController(services: services, web: web).endpoints(router)

    let api = router.group("api/v1")
    AuthController(services: services).publicEndpoints(api)
    PaymentsController(services: services).publicEndpoints(api)
    let secured = api.group(context: AuthenticatedContext.self)
    secured.add(middleware: BreakGlassAuditMiddleware(services: services))
    AuthController(services: services).endpoints(secured)
    MeController(services: services).endpoints(secured)
    OrdersController(services: services).endpoints(secured)
    InstallerController(services: services).endpoints(secured)
    StaffController(services: services).endpoints(secured)
    StaffCustomersController(services: services).endpoints(secured)
    OversightController(services: services).endpoints(secured)
    // Added last, so it wraps only the not-found responder: a known path with another method is 405.
    router.add(middleware: MethodNotAllowedMiddleware(routes: router.routes))
    return router
}

/// The runnable application. On SIGTERM the server stops accepting connections and lets
/// in-flight requests finish; the caller closes the database afterwards.
public func buildApplication(services: AppServices) throws -> some ApplicationProtocol {
    var app = Application(
        router: try buildRouter(services: services),
        configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: nil),
        logger: services.logger
    )
    app.addServices(
        OutboxDispatcher(services: services), DispatchSweeper(services: services), AuditChainMonitor(services: services),
        AuditCheckpointer(services: services), RetentionSweeper(services: services),
        buildMetricsApplication(services: services)
    )
    return app
}
