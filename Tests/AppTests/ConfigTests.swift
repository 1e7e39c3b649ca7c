@testable import App
import Foundation
import Logging
import SolarSecurity
import Storage
import Testing

@Suite("Configuration")
struct ConfigTests {
    @Test("defaults: SQLite under ./data, port 8080, loopback")
    func defaults() throws {
        let config = try AppConfig.fromEnvironment([:])
        #expect(config.databaseURL == "sqlite:./data/solar.sqlite")
        #expect(config.port == 8080)
        #expect(config.host == "127.0.0.1")
        #expect(config.environment == .development && config.autoMigrate)
    }

    static let secureProduction = [
        "ENVIRONMENT": "production", "PUBLIC_ORIGIN": "https://app.solardispatch.example",
        "CORS_ALLOWED_ORIGINS": "https://app.solardispatch.example",
        "ENCRYPTION_KEYS": FieldCipher.generateKeyEntry(id: "prod1"),
        "AUDIT_KEY": AuditChain.generateKey(),
        "BLIND_INDEX_KEY": BlindIndex.generateKey(),
        "DATABASE_URL": "mysql://solar_app@db.internal:3306/solar", "DATABASE_TLS": "verify-identity",
        "DATABASE_TLS_CA_FILE": caFile,
        "SMTP_HOST": "email-smtp.eu-west-1.amazonaws.com", "SMTP_FROM": "no-reply@solardispatch.example",
        "PAYMENT_WEBHOOK_SECRETS": String(repeating: "s", count: 40),
    ]

    /// A readable file standing in for the database's CA bundle (validation checks it can be read).
    static let caFile: String = {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("solar-config-test-ca-\(UUID().uuidString).pem").path
        FileManager.default.createFile(atPath: path, contents: Data("test CA\n".utf8))
        return path
    }()

    @Test("a secure production configuration starts")
    func production() throws {
        let config = try AppConfig.fromEnvironment(Self.secureProduction)
        #expect(config.environment == .production && !config.autoMigrate)
    }

    @Test("the breached-password check is on by default in production (fail-open), off by default elsewhere")
    func breachedDefault() throws {
        #expect(try AppConfig.fromEnvironment(Self.secureProduction).pwnedPasswords == "fail-open")
        #expect(try AppConfig.fromEnvironment([:]).pwnedPasswords == "off")
        var closed = Self.secureProduction
        closed["PWNED_PASSWORDS"] = "fail-closed"
        #expect(try AppConfig.fromEnvironment(closed).pwnedPasswords == "fail-closed")
    }

    @Test("only the test environment may raise the per-account login limit past 100")
    func loginLimitRaisedOnlyInTests() throws {
        var production = Self.secureProduction
        production["LOGIN_MAX_FAILURES_PER_ACCOUNT"] = "100000"
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(production) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["LOGIN_MAX_FAILURES_PER_ACCOUNT": "100000"]) }
        let test = try AppConfig.fromEnvironment(["ENVIRONMENT": "test", "LOGIN_MAX_FAILURES_PER_ACCOUNT": "100000"])
        #expect(test.loginThrottle.accountThreshold == 100_000)
    }

    @Test("the probe's weakening switch works only in the test environment of a debug build")
    func weakeningOnlyInTests() throws {
        var production = Self.secureProduction
        production["SOLAR_TEST_WEAKEN"] = "security-headers"
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(production) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["SOLAR_TEST_WEAKEN": "security-headers"]) }
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(["ENVIRONMENT": "test", "SOLAR_TEST_WEAKEN": "csrf"]) }
        #expect(try AppConfig.fromEnvironment(["ENVIRONMENT": "test", "SOLAR_TEST_WEAKEN": "security-headers"]).weakenedControls == ["security-headers"])
        #expect(try AppConfig.fromEnvironment(["ENVIRONMENT": "test"]).weakenedControls.isEmpty)
    }

    @Test("production refuses insecure settings", arguments: [
        ["PUBLIC_ORIGIN": "http://app.solardispatch.example"],
        ["CORS_ALLOWED_ORIGINS": "http://partner.example"],
        ["LOG_LEVEL": "debug"],
        ["AUTO_MIGRATE": "true"],
        ["ENCRYPTION_KEYS": "not-a-key-ring"],
        ["AUDIT_KEY": "c2hvcnQ="],
        ["DATABASE_URL": "mysql://app@db.internal/solar", "DATABASE_TLS": "required"],
        ["SMTP_HOST": ""],
        ["PAYMENT_AUTO_CONFIRM": "true"], ["PAYMENT_WEBHOOK_SECRETS": "too-short"], ["PAYMENT_WEBHOOK_SECRETS": ""],
    ])
    func insecureProduction(_ override: [String: String]) {
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(Self.secureProduction.merging(override) { $1 }) }
    }

    @Test("production refuses SQLite, naming it; the same configuration on MySQL starts")
    func productionRefusesSQLite() throws {
        for url in ["sqlite:./data/solar.sqlite", "sqlite:/var/lib/solar/solar.sqlite"] {
            #expect {
                try AppConfig.fromEnvironment(Self.secureProduction.merging(["DATABASE_URL": url]) { $1 })
            } throws: { ($0 as? ConfigError)?.description.contains("production refuses SQLite") == true }
        }
        var unset = Self.secureProduction
        unset["DATABASE_URL"] = nil  // the default is SQLite
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(unset) }
        #expect(try AppConfig.fromEnvironment(Self.secureProduction).databaseURL.hasPrefix("mysql:"))
    }

    @Test("production refuses to start without each of its keys", arguments: ["ENCRYPTION_KEYS", "AUDIT_KEY", "BLIND_INDEX_KEY"])
    func productionNeedsKeys(_ key: String) {
        var env = Self.secureProduction
        env[key] = nil
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(env) }
    }

    @Test("any environment refuses wildcard CORS and malformed values", arguments: [
        ["CORS_ALLOWED_ORIGINS": "*"], ["PORT": "0"], ["PORT": "http"], ["ENVIRONMENT": "staging"],
        ["DATABASE_URL": "postgres://x"], ["LOG_LEVEL": "loud"], ["API_TOKEN_TTL_SECONDS": "5"], ["TRUST_PROXY_HEADERS": "maybe"],
        ["OUTBOUND_ALLOWED_HOSTS": "*.example.com"], ["OUTBOUND_ALLOWED_HOSTS": "https://api.example.com"],
        ["PWNED_PASSWORDS": "fail-open", "PWNED_PASSWORDS_URL": "https://ranges.internal/range/"],
        ["SMTP_HOST": "smtp.example.com"], ["SMTP_HOST": "smtp.example.com", "SMTP_FROM": "a@b.c", "SMTP_TLS": "none"],
        ["SMTP_HOST": "smtp.example.com", "SMTP_FROM": "a@b.c", "SMTP_USERNAME": "u"],
    ])
    func malformed(_ env: [String: String]) {
        #expect(throws: ConfigError.self) { try AppConfig.fromEnvironment(env) }
    }

    @Test("errors name the variable, never echo its value")
    func noSecretsInErrors() {
        do {
            _ = try AppConfig.fromEnvironment(["DATABASE_URL": "mysql://app:s3cr3t@db/solar"])
            Issue.record("expected a refusal")
        } catch {
            #expect(!error.description.contains("s3cr3t"))
        }
    }

    @Test("the real service wiring uses the OWASP Argon2id parameters")
    func realHasher() async throws {
        var config = AppConfig()
        config.databaseURL = "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)/db.sqlite").path
        let services = try await makeServices(config: config, logger: Logger(label: "test"))
        #expect(services.hasher.parameters == .owasp)
        try await services.store.shutdown()
    }

    @Test("without auto-migrate, an unmigrated database refuses to start")
    func refusesUnmigrated() async throws {
        var config = AppConfig()
        config.autoMigrate = false
        config.databaseURL = "sqlite:" + FileManager.default.temporaryDirectory.appendingPathComponent("cfg-\(UUID().uuidString)/db.sqlite").path
        await #expect(throws: ConfigError.self) { try await makeServices(config: config, logger: Logger(label: "test")) }
    }
}
