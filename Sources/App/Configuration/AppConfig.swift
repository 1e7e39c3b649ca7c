public import Foundation
import MySQLStorage
import Outbound
import SMTP
import Security
public import Domain
import Domain
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Security
import Storage

/// The deployment environment. Production turns every insecure default into a start-up error.
public enum AppEnvironment: String, Sendable {
    case development
    case test
    case production
}

/// All settings, read from environment variables (see docs/configuration.md).
public struct AppConfig: Sendable {
    public var environment: AppEnvironment = .development
    public var host = "127.0.0.1"
    public var port = 8080
    /// The internal Prometheus endpoint (`/metrics`), never the public port.
    public var metricsHost = "127.0.0.1"
    public var metricsPort = 9091
    public var databaseURL = "sqlite:./data/solar.sqlite"
    /// Password of the MySQL user (`DATABASE_PASSWORD` or the file `DATABASE_PASSWORD_FILE`); never logged.
    public var databasePassword: String?
    /// `disabled` (local tests only), `required` or `verify-identity`.
    public var databaseTLS = "required"
    public var databaseTLSCAFile: String?
    public var databasePoolSize = 8
    /// The migration user's URL and password for `solar migrate` (defaults to the application's).
    public var migrationDatabaseURL: String?
    public var migrationDatabasePassword: String?
    /// `PUBLIC_ORIGIN`: the origin the web interface is served from; cookie-authenticated writes
    /// must come from it. Unset (development and tests only), the site accepts its own loopback
    /// origins on the real port: see `webOrigins`.
    public var publicOrigin: String?
    /// Browser origins allowed to call the API cross-origin. Empty denies all.
    public var corsAllowedOrigins: [String] = []
    /// Lifetime of an API access token; refresh tokens renew it.
    public var apiTokenTTL: TimeInterval = 15 * 60
    /// Idle and absolute session timeouts (web sessions and API refresh-token families).
    public var sessionTimeouts = SessionTimeouts()
    /// `ENCRYPTION_KEYS` / `ENCRYPTION_KEYS_FILE`: `id:base64key` entries, the first active.
    /// Outside production a key file under `./data` is created when none is configured.
    public var encryptionKeys: String?
    /// `AUDIT_KEY` / `AUDIT_KEY_FILE`: base64 key (32+ bytes) of the audit chain's HMAC.
    public var auditKey: String?
    /// `BLIND_INDEX_KEY` / `BLIND_INDEX_KEY_FILE`: base64 key (32+ bytes) of the email and phone blind indexes.
    public var blindIndexKey: String?
    /// `PWNED_PASSWORDS`: off, fail-open or fail-closed (production default: fail-open).
    public var pwnedPasswords = "off"
    public var pwnedPasswordsURL = "https://api.pwnedpasswords.com/range/"
    /// `SMTP_*`: the relay the outbox delivers through; without `SMTP_HOST` mail goes to the
    /// spool folder (development only: production refuses it).
    public var smtpHost: String?
    public var smtpPort: Int?
    public var smtpSecurity = "starttls"
    public var smtpUsername: String?
    public var smtpPassword: String?
    public var smtpFrom: String?
    public var smtpCAFile: String?
    /// `PAYMENT_WEBHOOK_SECRETS[_FILE]`: the secrets payment webhooks may be signed with (the
    /// first also signs the simulated provider's confirmations). Outside production a random one
    /// per process when unset.
    public var paymentWebhookSecrets = [AppConfig.randomSecret()]
    /// `PAYMENT_AUTO_CONFIRM`: the simulated provider confirms deposits at once (development).
    public var paymentAutoConfirm = true
    /// `OUTBOX_RETRY_SECONDS`: the first backoff after a failed send (doubling, at most 30 min).
    public var outboxRetrySeconds = 30
    /// `OUTBOUND_ALLOWED_HOSTS`: the only hosts outbound calls may reach (exact names).
    public var outboundAllowedHosts = ["api.pwnedpasswords.com"]
    /// Outgoing mail is written as files to this spool folder (a local mail sink in development;
    /// a relay picks them up in production).
    public var mailDirectory = "./data/mail"
    /// Failed logins before a temporary lock (see `LoginThrottle`).
    var loginThrottle = LoginThrottle()
    public var offerTTL: TimeInterval = 15 * 60
    public var maxOffersPerOrder = 5
    /// How often orders still waiting for an installer are offered to the next nearest ones.
    public var dispatchSweepInterval: TimeInterval = 60
    /// How often the server verifies the whole audit hash chain.
    public var auditVerifyInterval: TimeInterval = 3600
    /// How often the server writes a signed checkpoint of the audit chain head to the audit
    /// stream (when the head has moved; also at start and at shutdown).
    public var auditCheckpointInterval: TimeInterval = 300
    /// How long after completion an installer still sees a job's address and customer contact.
    public var installerAccessDaysAfterCompletion = 7
    /// How many trusted proxies append to `X-Forwarded-For` (`TRUSTED_PROXY_HOPS`; `TRUST_PROXY_HEADERS=true` is 1).
    public var trustedProxyHops = 0
    /// Or the trusted proxies' networks (`TRUSTED_PROXY_CIDRS`); the client is the first hop from the right outside them.
    public var trustedProxyCIDRs: [String] = []

    var proxyTrust: ProxyTrust { ProxyTrust(hops: trustedProxyHops, networks: trustedProxyCIDRs.compactMap(IPNetwork.init)) }
    /// Run migrations when `serve` starts. Never in production: run `solar migrate` instead.
    public var autoMigrate = true
    public var logLevel = "info"
    public var passwordHashThreads = 2

    public init() {}

    /// Reads the configuration from `environment` (normally the process environment).
    public static func fromEnvironment(_ env: [String: String] = ProcessInfo.processInfo.environment) throws(ConfigError) -> AppConfig {
        var c = AppConfig()
        if let v = env["ENVIRONMENT"] {
            guard let e = AppEnvironment(rawValue: v) else { throw ConfigError("ENVIRONMENT must be development, test or production") }
            c.environment = e
        }
        c.host = env["HOST"] ?? c.host
        c.port = try int(env, "PORT", c.port, 1...65535)
        c.metricsHost = env["METRICS_HOST"] ?? c.metricsHost
        c.metricsPort = try int(env, "METRICS_PORT", c.metricsPort, 1...65535)
        c.databaseURL = env["DATABASE_URL"] ?? c.databaseURL
        c.databasePassword = try secret(env, "DATABASE_PASSWORD")
        c.databaseTLS = env["DATABASE_TLS"] ?? c.databaseTLS
        c.databaseTLSCAFile = env["DATABASE_TLS_CA_FILE"]
        c.databasePoolSize = try int(env, "DATABASE_POOL_SIZE", c.databasePoolSize, 1...64)
        c.migrationDatabaseURL = env["DATABASE_MIGRATION_URL"]
        c.migrationDatabasePassword = try secret(env, "DATABASE_MIGRATION_PASSWORD")
        c.publicOrigin = env["PUBLIC_ORIGIN"]
        if let origins = env["CORS_ALLOWED_ORIGINS"] {
            c.corsAllowedOrigins = origins.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        c.apiTokenTTL = TimeInterval(try int(env, "API_TOKEN_TTL_SECONDS", Int(c.apiTokenTTL), 60...3600))
        c.encryptionKeys = try secret(env, "ENCRYPTION_KEYS")
        c.auditKey = try secret(env, "AUDIT_KEY")
        c.blindIndexKey = try secret(env, "BLIND_INDEX_KEY")
        // On by default in production (fail-open: the shipped common-password list still applies
        // when the service cannot be reached); off by default elsewhere.
        c.pwnedPasswords = env["PWNED_PASSWORDS"] ?? (c.environment == .production ? "fail-open" : c.pwnedPasswords)
        c.pwnedPasswordsURL = env["PWNED_PASSWORDS_URL"] ?? c.pwnedPasswordsURL
        if let hosts = env["OUTBOUND_ALLOWED_HOSTS"] {
            c.outboundAllowedHosts = hosts.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        }
        c.mailDirectory = env["MAIL_DIRECTORY"] ?? c.mailDirectory
        c.smtpHost = env["SMTP_HOST"].flatMap { $0.isEmpty ? nil : $0 }
        if env["SMTP_PORT"] != nil { c.smtpPort = try int(env, "SMTP_PORT", 587, 1...65535) }
        c.smtpSecurity = env["SMTP_TLS"] ?? c.smtpSecurity
        c.smtpUsername = try secret(env, "SMTP_USERNAME")
        c.smtpPassword = try secret(env, "SMTP_PASSWORD")
        c.smtpFrom = env["SMTP_FROM"]
        c.smtpCAFile = env["SMTP_TLS_CA_FILE"]
        c.outboxRetrySeconds = try int(env, "OUTBOX_RETRY_SECONDS", c.outboxRetrySeconds, 1...3600)
        if let secrets = try secret(env, "PAYMENT_WEBHOOK_SECRETS") {
            c.paymentWebhookSecrets = secrets.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        } else if c.environment == .production {
            c.paymentWebhookSecrets = []
        }
        c.paymentAutoConfirm = try bool(env, "PAYMENT_AUTO_CONFIRM", c.environment != .production)
        c.loginThrottle.accountThreshold = try int(env, "LOGIN_MAX_FAILURES_PER_ACCOUNT", c.loginThrottle.accountThreshold, 3...100)
        c.loginThrottle.addressThreshold = try int(env, "LOGIN_MAX_FAILURES_PER_ADDRESS", c.loginThrottle.addressThreshold, 5...100_000)
        c.offerTTL = TimeInterval(try int(env, "OFFER_TTL_SECONDS", Int(c.offerTTL), 30...86400))
        c.maxOffersPerOrder = try int(env, "DISPATCH_MAX_OFFERS", c.maxOffersPerOrder, 1...50)
        c.dispatchSweepInterval = TimeInterval(try int(env, "DISPATCH_SWEEP_SECONDS", Int(c.dispatchSweepInterval), 1...3600))
        c.auditVerifyInterval = TimeInterval(try int(env, "AUDIT_VERIFY_SECONDS", Int(c.auditVerifyInterval), 10...86400))
        c.auditCheckpointInterval = TimeInterval(try int(env, "AUDIT_CHECKPOINT_SECONDS", Int(c.auditCheckpointInterval), 10...86400))
        c.installerAccessDaysAfterCompletion = try int(env, "INSTALLER_ACCESS_DAYS_AFTER_COMPLETION", c.installerAccessDaysAfterCompletion, 0...90)
        if try bool(env, "TRUST_PROXY_HEADERS", false) { c.trustedProxyHops = 1 }
        c.trustedProxyHops = try int(env, "TRUSTED_PROXY_HOPS", c.trustedProxyHops, 0...5)
        if let cidrs = env["TRUSTED_PROXY_CIDRS"] {
            c.trustedProxyCIDRs = cidrs.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        }
        c.autoMigrate = try bool(env, "AUTO_MIGRATE", c.environment != .production)
        c.logLevel = env["LOG_LEVEL"] ?? c.logLevel
        c.passwordHashThreads = try int(env, "PASSWORD_HASH_THREADS", c.passwordHashThreads, 1...64)
        try c.validate()
        return c
    }

    /// Rejects inconsistent settings, and in production every insecure one.
    public func validate() throws(ConfigError) {
        guard ["trace", "debug", "info", "notice", "warning", "error", "critical"].contains(logLevel) else {
            throw ConfigError("LOG_LEVEL is not a known level")
        }
        for url in [databaseURL] + (migrationDatabaseURL.map { [$0] } ?? []) {
            guard url.hasPrefix("sqlite:") || MySQLOptions(url: url) != nil else {
                throw ConfigError("DATABASE_URL must be sqlite:PATH or mysql://USER@HOST[:PORT]/DATABASE (no password in the URL)")
            }
        }
        guard BreachedPasswords.Mode(rawValue: pwnedPasswords) != nil, URL(string: pwnedPasswordsURL)?.scheme == "https" else {
            throw ConfigError("PWNED_PASSWORDS must be off, fail-open or fail-closed, with an https PWNED_PASSWORDS_URL")
        }
        if paymentWebhookSecrets.contains(where: { $0.utf8.count < 32 }) {
            throw ConfigError("PAYMENT_WEBHOOK_SECRETS must be comma-separated secrets of at least 32 characters")
        }
        if smtpHost != nil {
            guard SMTPConfiguration.Security(rawValue: smtpSecurity) != nil else {
                throw ConfigError("SMTP_TLS must be starttls or tls (mail is never sent without TLS)")
            }
            guard let from = smtpFrom, SMTPClient.isSafe(from) else { throw ConfigError("SMTP_HOST needs SMTP_FROM, a plain email address") }
            guard (smtpUsername == nil) == (smtpPassword == nil) else { throw ConfigError("set both SMTP_USERNAME and SMTP_PASSWORD, or neither") }
            if let ca = smtpCAFile, !FileManager.default.isReadableFile(atPath: ca) { throw ConfigError("SMTP_TLS_CA_FILE cannot be read") }
        }
        if outboundAllowedHosts.contains(where: { $0.contains("*") || $0.contains("/") || $0.contains(":") }) {
            throw ConfigError("OUTBOUND_ALLOWED_HOSTS must list exact host names, without wildcards, schemes or ports")
        }
        if pwnedPasswords != "off", let host = URL(string: pwnedPasswordsURL)?.host?.lowercased(), !outboundAllowedHosts.contains(host) {
            throw ConfigError("the host of PWNED_PASSWORDS_URL must be in OUTBOUND_ALLOWED_HOSTS")
        }
        if let key = blindIndexKey, BlindIndex(base64: key) == nil {
            throw ConfigError("BLIND_INDEX_KEY must be a base64 key of at least 32 bytes")
        }
        if let key = auditKey, AuditChain(base64: key) == nil {
            throw ConfigError("AUDIT_KEY must be a base64 key of at least 32 bytes")
        }
        if let keys = encryptionKeys, FieldCipher(keyRing: keys) == nil {
            throw ConfigError("ENCRYPTION_KEYS must be id:base64 entries of 32-byte keys")
        }
        guard ["disabled", "required", "verify-identity"].contains(databaseTLS) else {
            throw ConfigError("DATABASE_TLS must be disabled, required or verify-identity")
        }
        if databaseTLS == "verify-identity" {
            guard let ca = databaseTLSCAFile, FileManager.default.isReadableFile(atPath: ca) else {
                throw ConfigError("DATABASE_TLS=verify-identity needs a readable DATABASE_TLS_CA_FILE")
            }
        }
        if let publicOrigin {
            guard let origin = URL(string: publicOrigin), origin.scheme != nil, origin.host != nil, origin.path.isEmpty else {
                throw ConfigError("PUBLIC_ORIGIN must be an origin such as https://app.example.com")
            }
        }
        if trustedProxyCIDRs.contains(where: { IPNetwork($0) == nil }) {
            throw ConfigError("TRUSTED_PROXY_CIDRS must be a comma-separated list of networks such as 10.0.0.0/16")
        }
        if trustedProxyHops > 0, !trustedProxyCIDRs.isEmpty {
            throw ConfigError("set TRUSTED_PROXY_HOPS or TRUSTED_PROXY_CIDRS, not both")
        }
        for o in corsAllowedOrigins where o == "*" || URL(string: o)?.host == nil {
            throw ConfigError("CORS_ALLOWED_ORIGINS must list explicit origins, never *")
        }
        guard environment == .production else { return }
        guard publicOrigin?.hasPrefix("https://") == true else { throw ConfigError("production requires an https PUBLIC_ORIGIN") }
        if corsAllowedOrigins.contains(where: { !$0.hasPrefix("https://") }) {
            throw ConfigError("production allows only https CORS origins")
        }
        if ["trace", "debug"].contains(logLevel) { throw ConfigError("production refuses LOG_LEVEL debug or trace") }
        if autoMigrate { throw ConfigError("production refuses AUTO_MIGRATE; run `solar migrate` as a separate step") }
        if encryptionKeys == nil { throw ConfigError("production requires ENCRYPTION_KEYS or ENCRYPTION_KEYS_FILE") }
        if auditKey == nil { throw ConfigError("production requires AUDIT_KEY or AUDIT_KEY_FILE") }
        if blindIndexKey == nil { throw ConfigError("production requires BLIND_INDEX_KEY or BLIND_INDEX_KEY_FILE") }
        // One embedded file cannot be shared by replicas, backed up point-in-time or encrypted
        // by the database service: production runs on MySQL (docs/deployment.md).
        guard databaseURL.hasPrefix("mysql:") else {
            throw ConfigError("production refuses SQLite: set DATABASE_URL to a mysql:// URL (MySQL over TLS with DATABASE_TLS=verify-identity)")
        }
        if databaseTLS != "verify-identity" {
            throw ConfigError("production requires DATABASE_TLS=verify-identity")
        }
        if smtpHost == nil { throw ConfigError("production requires SMTP_HOST: mail is delivered over SMTP, not spooled") }
        if paymentWebhookSecrets.isEmpty { throw ConfigError("production requires PAYMENT_WEBHOOK_SECRETS or PAYMENT_WEBHOOK_SECRETS_FILE") }
        if paymentAutoConfirm { throw ConfigError("production refuses PAYMENT_AUTO_CONFIRM: only the provider's signed webhooks confirm deposits") }
    }

    /// The origins whose form posts the web interface accepts: `PUBLIC_ORIGIN` when set;
    /// otherwise (never in production) this server's loopback origins on the port it really
    /// listens on, so http://127.0.0.1:PORT and http://localhost:PORT both work.
    public var webOrigins: Set<String> {
        if let publicOrigin { return [publicOrigin] }
        return ["http://127.0.0.1:\(port)", "http://localhost:\(port)", "http://[::1]:\(port)"]
    }

    static func int(_ env: [String: String], _ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let raw = env[key] else { return fallback }
        guard let v = Int(raw), range.contains(v) else { throw ConfigError("\(key) must be an integer in \(range.lowerBound)...\(range.upperBound)") }
        return v
    }

    /// A secret from `KEY` or from the file named by `KEY_FILE` (a mounted Kubernetes Secret).
    static func secret(_ env: [String: String], _ key: String) throws(ConfigError) -> String? {
        switch (env[key], env[key + "_FILE"]) {
        case (nil, nil): return nil
        case (let value?, nil): return value
        case (nil, let file?):
            guard let data = FileManager.default.contents(atPath: file), let text = String(data: data, encoding: .utf8) else {
                throw ConfigError("\(key)_FILE cannot be read")
            }
            return text.trimmingCharacters(in: .newlines)
        case (_?, _?): throw ConfigError("set \(key) or \(key)_FILE, not both")
        }
    }

    static func randomSecret() -> String {
        (0..<32).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// The SMTP relay settings, when `SMTP_HOST` is set.
    var smtp: SMTPConfiguration? {
        guard let host = smtpHost, let from = smtpFrom, let security = SMTPConfiguration.Security(rawValue: smtpSecurity) else { return nil }
        return SMTPConfiguration(host: host, port: smtpPort ?? (security == .implicitTLS ? 465 : 587), security: security,
                                 username: smtpUsername, password: smtpPassword, from: from, caFile: smtpCAFile)
    }

    /// The MySQL connection settings, when `url` is a MySQL URL.
    func mysqlOptions(url: String) -> MySQLOptions? {
        let tls: MySQLOptions.TLS = switch databaseTLS {
        case "disabled": .disabled
        case "verify-identity": .verifyIdentity(caFile: databaseTLSCAFile ?? "")
        default: .required
        }
        return MySQLOptions(url: url, tls: tls, poolSize: databasePoolSize)
    }

    static func bool(_ env: [String: String], _ key: String, _ fallback: Bool) throws(ConfigError) -> Bool {
        switch env[key]?.lowercased() {
        case nil: return fallback
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw ConfigError("\(key) must be true or false")
        }
    }
}

/// An invalid setting. The message names the variable, never its value (it may be a secret).
public struct ConfigError: Error, CustomStringConvertible, Sendable {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Idle and absolute session timeouts. Staff sessions are short; customers and installers
/// stay signed in on their phones longer.
public struct SessionTimeouts: Sendable, Equatable {
    public var staffIdle: TimeInterval = 30 * 60
    public var staffAbsolute: TimeInterval = 8 * 3600
    public var userIdle: TimeInterval = 7 * 86400
    public var userAbsolute: TimeInterval = 30 * 86400

    public init() {}

    public func idle(for role: Role) -> TimeInterval { role.isStaff ? staffIdle : userIdle }
    public func absolute(for role: Role) -> TimeInterval { role.isStaff ? staffAbsolute : userAbsolute }
}
