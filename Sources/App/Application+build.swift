public import Foundation
public import Hummingbird
public import Logging
import Security
import MySQLStorage
import SQLiteStorage
public import Storage
import Domain
import HTTPTypes
import NIOCore

/// Opens the database (migrating it when configured) and creates the shared services.
public func makeServices(config: AppConfig, logger: Logger) async throws -> AppServices {
    let store = try openStore(config: config)
    if config.autoMigrate {
        let applied = try await store.migrate()
        if !applied.isEmpty { logger.info("migrations applied", metadata: ["versions": .string(applied.map(String.init).joined(separator: ","))]) }
    } else if try await !store.isMigrated() {
        throw ConfigError("the database schema is not current; run `solar migrate`")
    }
    let hasher = try PasswordHasher(threads: config.passwordHashThreads)
    return AppServices(config: config, store: store, hasher: hasher, cipher: try loadKeyRing(config: config, logger: logger), logger: logger)
}

/// The encryption key ring from `ENCRYPTION_KEYS[_FILE]`. Outside production, when none is
/// configured, a key file is created once beside the SQLite database (mode 0600).
func loadKeyRing(config: AppConfig, logger: Logger) throws -> FieldCipher {
    if let keys = config.encryptionKeys {
        guard let cipher = FieldCipher(keyRing: keys) else { throw ConfigError("ENCRYPTION_KEYS is not a valid key ring") }
        return cipher
    }
    guard config.environment != .production else { throw ConfigError("production requires ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE") }
    // Next to the SQLite file (so each development database has its own keys), else ./data.
    let folder = SQLiteDatabase.path(fromURL: config.databaseURL).map { ($0 as NSString).deletingLastPathComponent } ?? "./data"
    let path = ((folder.isEmpty ? "." : folder) as NSString).appendingPathComponent("encryption.keys")
    if !FileManager.default.fileExists(atPath: path) {
        try FileManager.default.createDirectory(atPath: folder.isEmpty ? "." : folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let entry = FieldCipher.generateKeyEntry(id: "dev1")
        guard FileManager.default.createFile(atPath: path, contents: Data((entry + "\n").utf8), attributes: [.posixPermissions: 0o600]) else {
            throw ConfigError("cannot create the development key file")
        }
        logger.notice("created a development encryption key file", metadata: ["path": .string(path)])
    }
    guard let text = FileManager.default.contents(atPath: path).map({ String(decoding: $0, as: UTF8.self) }), let cipher = FieldCipher(keyRing: text) else {
        throw ConfigError("the development key file is not a valid key ring")
    }
    return cipher
}

/// The store named by `DATABASE_URL` (or, for migrations, `DATABASE_MIGRATION_URL`).
public func openStore(config: AppConfig, forMigration: Bool = false) throws -> any Store {
    let url = forMigration ? config.migrationDatabaseURL ?? config.databaseURL : config.databaseURL
    let password = forMigration && config.migrationDatabaseURL != nil ? config.migrationDatabasePassword : config.databasePassword
    if let path = SQLiteDatabase.path(fromURL: url) {
        return SQLStore(database: try SQLiteDatabase(path: path))
    }
    guard let options = config.mysqlOptions(url: url) else { throw ConfigError("DATABASE_URL is not a supported database URL") }
    return SQLStore(database: MySQLDatabase(options: options, password: password))
}

/// Composes middleware and routes. Tests call this with their own services.
public func buildRouter(services: AppServices) -> Router<AppRequestContext> {
    let router = Router(context: AppRequestContext.self)
    router.add(middleware: RequestLogMiddleware())
    router.add(middleware: SecurityHeadersMiddleware(hsts: true))
    router.add(middleware: ProblemMiddleware(services: services, web: WebSupport(config: services.config)))
    router.add(middleware: AllowListCORSMiddleware(allowed: Set(services.config.corsAllowedOrigins)))
    router.add(middleware: BodyLimitMiddleware())
    router.add(middleware: AuthMiddleware(auth: AuthService(services: services), trustProxyHeaders: services.config.trustProxyHeaders))

    HealthController(services: services).endpoints(router)
    WebController(services: services).endpoints(router)

    let api = router.group("api/v1")
    AuthController(services: services).publicEndpoints(api)
    let secured = api.group(context: AuthenticatedContext.self)
    AuthController(services: services).endpoints(secured)
    MeController(services: services).endpoints(secured)
    OrdersController(services: services).endpoints(secured)
    InstallerController(services: services).endpoints(secured)
    StaffController(services: services).endpoints(secured)
    return router
}

/// The runnable application. On SIGTERM the server stops accepting connections and lets
/// in-flight requests finish; the caller closes the database afterwards.
public func buildApplication(services: AppServices) -> some ApplicationProtocol {
    var app = Application(
        router: buildRouter(services: services),
        configuration: .init(address: .hostname(services.config.host, port: services.config.port), serverName: nil),
        logger: services.logger
    )
    app.addServices(OutboxDispatcher(services: services))
    return app
}
