import Foundation
import Domain
import MySQLStorage
import Outbound
import SMTP
import SolarSecurity

extension AppConfig {
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
            throw ConfigError("AUDIT_KEY must be a base64 key of at least 32 bytes, or a comma-separated ring of them, newest first")
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

}
