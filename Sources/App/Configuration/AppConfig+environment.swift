public import Foundation
import Domain
import Outbound
import SolarSecurity

/// Reading the settings from environment variables (docs/configuration.md).
extension AppConfig {
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
        c.maxSessionsPerAccount = try int(env, "MAX_SESSIONS_PER_ACCOUNT", c.maxSessionsPerAccount, 1...100)
        c.newDeviceEmailCode = try bool(env, "NEW_DEVICE_EMAIL_CODE", true)
        if !c.newDeviceEmailCode, c.environment != .test {
            throw ConfigError("NEW_DEVICE_EMAIL_CODE=false is allowed only with ENVIRONMENT=test")
        }
        if let text = env["RATE_LIMITS"] {
            guard let limits = ActionLimiter.parse(text) else {
                throw ConfigError("RATE_LIMITS must be comma-separated action=N or action@address=N entries (N 1...1000000), actions: "
                                  + ActionLimiter.Action.allCases.map(\.rawValue).joined(separator: ", "))
            }
            c.rateLimits = limits
        }
        c.endedRecordRetention = TimeInterval(try int(env, "ENDED_RECORD_RETENTION_DAYS", 30, 1...365) * 86400)
        c.siteDetailsRetention = TimeInterval(try int(env, "SITE_DETAILS_RETENTION_DAYS", 730, 1...3650) * 86400)
        c.retentionSweepInterval = TimeInterval(try int(env, "RETENTION_SWEEP_SECONDS", Int(c.retentionSweepInterval), 60...86400))
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
        // The test environment may raise the per-account limit far beyond what is safe (sqlmap
        // sends thousands of wrong passwords to measure injection, not the throttle).
        let accountLimit = c.environment == .test ? 1_000_000 : 100
        c.loginThrottle.accountThreshold = try int(env, "LOGIN_MAX_FAILURES_PER_ACCOUNT", c.loginThrottle.accountThreshold, 3...accountLimit)
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
        if let weaken = env["SOLAR_TEST_WEAKEN"], !weaken.isEmpty {
            #if DEBUG
            guard c.environment == .test else { throw ConfigError("SOLAR_TEST_WEAKEN is only for ENVIRONMENT=test") }
            c.weakenedControls = Set(weaken.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
            guard c.weakenedControls.isSubset(of: ["security-headers"]) else { throw ConfigError("SOLAR_TEST_WEAKEN knows only security-headers") }
            #else
            throw ConfigError("SOLAR_TEST_WEAKEN is not available in release builds")
            #endif
        }
        c.autoMigrate = try bool(env, "AUTO_MIGRATE", c.environment != .production)
        c.logLevel = env["LOG_LEVEL"] ?? c.logLevel
        c.passwordHashThreads = try int(env, "PASSWORD_HASH_THREADS", c.passwordHashThreads, 1...64)
        try c.validate()
        return c
    }


    static func int(_ env: [String: String], _ key: String, _ fallback: Int, _ range: ClosedRange<Int>) throws(ConfigError) -> Int {
        guard let raw = env[key] else { return fallback }
        guard let v = Int(raw), range.contains(v) else { throw ConfigError("\(key) must be an integer in \(range.lowerBound)...\(range.upperBound)") }
        return v
    }


    static func bool(_ env: [String: String], _ key: String, _ fallback: Bool) throws(ConfigError) -> Bool {
        switch env[key]?.lowercased() {
        case nil: return fallback
        case "1", "true", "yes": return true
        case "0", "false", "no": return false
        default: throw ConfigError("\(key) must be true or false")
        }
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

}
