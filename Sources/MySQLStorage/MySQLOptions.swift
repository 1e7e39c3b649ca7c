public import Foundation

/// How to reach a MySQL/MariaDB server. The password is never part of these options or the URL.
public struct MySQLOptions: Sendable, Equatable {
    /// TLS to the database (`DATABASE_TLS`).
    public enum TLS: Sendable, Equatable {
        /// No TLS: local tests only; production refuses it.
        case disabled
        /// Encrypted, server certificate not verified.
        case required
        /// Encrypted, certificate verified against the CA file and the host name.
        case verifyIdentity(caFile: String)
    }

    public var host: String
    public var port: Int
    public var user: String
    public var database: String
    public var tls: TLS
    public var poolSize: Int
    public var acquireTimeout: Duration
    public var connectTimeoutSeconds: Int
    public var ioTimeoutSeconds: Int

    public init(host: String, port: Int = 3306, user: String, database: String, tls: TLS = .disabled, poolSize: Int = 8,
                acquireTimeout: Duration = .seconds(5), connectTimeoutSeconds: Int = 3, ioTimeoutSeconds: Int = 15) {
        self.host = host
        self.port = port
        self.user = user
        self.database = database
        self.tls = tls
        self.poolSize = poolSize
        self.acquireTimeout = acquireTimeout
        self.connectTimeoutSeconds = connectTimeoutSeconds
        self.ioTimeoutSeconds = ioTimeoutSeconds
    }

    /// Parses `mysql://user@host[:port]/database`. A URL carrying a password is refused so
    /// that it can never reach a log; the password comes from a variable or a mounted file.
    public init?(url: String, tls: TLS = .disabled, poolSize: Int = 8) {
        guard url.hasPrefix("mysql://"), let components = URLComponents(string: url), components.scheme == "mysql",
              components.password == nil, let user = components.user, !user.isEmpty,
              let host = components.host, !host.isEmpty, components.query == nil
        else { return nil }
        let database = String(components.path.dropFirst())
        guard Self.isIdentifier(database), Self.isIdentifier(user) else { return nil }
        self.init(host: host, port: components.port ?? 3306, user: user, database: database, tls: tls, poolSize: poolSize)
    }

    /// Names used in grants and URLs: letters, digits and underscores only.
    public static func isIdentifier(_ name: String) -> Bool {
        (1...64).contains(name.count) && name.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }

    /// The URL without secrets, safe to log.
    public var redactedURL: String { "mysql://\(user)@\(host):\(port)/\(database)" }
}
