public import Domain
public import Foundation
import HTTPTypes
import Hummingbird
import Logging
import MySQLStorage
import NIOCore
import Outbound
import SMTP
import SolarSecurity
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
    /// Controls switched off to prove that the OWASP probe notices (`SOLAR_TEST_WEAKEN`): only
    /// debug builds read it, only with `ENVIRONMENT=test`; anything else refuses to start.
    public var weakenedControls: Set<String> = []
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
    /// Sessions one account may hold at once; a new login past it revokes the oldest.
    public var maxSessionsPerAccount = 10
    /// A customer without TOTP logging in from a device the account has not used (no valid
    /// trusted-device token) must also enter a code sent by email (`NEW_DEVICE_EMAIL_CODE`;
    /// only the test environment may turn it off).
    public var newDeviceEmailCode = true
    /// Anti-automation limits per hour (`RATE_LIMITS`, see `ActionLimiter`).
    var rateLimits = ActionLimiter.defaults
    /// Retention: ended sessions, spent codes and sent emails are deleted this long after they
    /// ended; the sweep runs every `retentionSweepInterval`.
    public var endedRecordRetention: TimeInterval = 30 * 86400
    /// How long the street, exact location and notes of a completed or cancelled order are kept
    /// (warranty visits and claims); then the sweep erases them.
    public var siteDetailsRetention: TimeInterval = 730 * 86400
    public var retentionSweepInterval: TimeInterval = 3600
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

    /// The origins whose form posts the web interface accepts: `PUBLIC_ORIGIN` when set;
    /// otherwise (never in production) this server's loopback origins on the port it really
    /// listens on, so http://127.0.0.1:PORT and http://localhost:PORT both work.
    public var webOrigins: Set<String> {
        if let publicOrigin { return [publicOrigin] }
        return ["http://127.0.0.1:\(port)", "http://localhost:\(port)", "http://[::1]:\(port)"]
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
