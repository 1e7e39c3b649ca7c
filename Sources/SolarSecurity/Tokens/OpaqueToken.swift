import Crypto
import Foundation

/// Opaque bearer credentials (API access tokens, web session ids, CSRF secrets).
///
/// A token is 32 random bytes (256 bits) in base64url. The server stores only its
/// SHA-256, so a database leak does not yield usable tokens.
public struct OpaqueToken: Sendable, Equatable {
    /// The secret value handed to the client once.
    public let value: String

    /// A fresh random token.
    public static func generate() -> OpaqueToken {
        OpaqueToken(value: Base64URL.encode(SecureRandom.bytes(32)))
    }

    public init(value: String) {
        self.value = value
    }

    /// Hex SHA-256 of the token: what the database stores and looks up.
    public var storageHash: String {
        Self.storageHash(of: value)
    }

    public static func storageHash(of value: String) -> String {
        Hex.encode(SHA256.hash(data: Array(value.utf8)))
    }

    /// Whether `value` has the shape of a token (43 base64url characters); cheap rejection of junk.
    public static func isWellFormed(_ value: String) -> Bool {
        value.utf8.count == 43 && value.utf8.allSatisfy { Base64URL.alphabet.contains($0) }
    }
}

/// Unpadded base64url (RFC 4648 section 5).
public enum Base64URL {
    static let alphabet = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_".utf8)

    public static func encode(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Constant-time comparison of two secrets of any length.
public func constantTimeEquals(_ a: String, _ b: String) -> Bool {
    let x = Array(a.utf8), y = Array(b.utf8)
    var diff = UInt8(x.count == y.count ? 0 : 1)
    for i in 0..<max(x.count, y.count) {
        diff |= (i < x.count ? x[i] : 0) ^ (i < y.count ? y[i] : 0)
    }
    return diff == 0
}

/// Synchronizer tokens for the web forms of a session.
public enum CSRFToken {
    /// The form token of the session whose token hash is `sessionTokenHash`. It is derived
    /// from the secret session token, so a site that cannot read the cookie cannot compute it.
    public static func value(sessionTokenHash: String) -> String {
        OpaqueToken.storageHash(of: "csrf:" + sessionTokenHash)
    }

    /// Constant-time check of a submitted form token.
    public static func isValid(_ submitted: String?, sessionTokenHash: String) -> Bool {
        guard let submitted else { return false }
        return constantTimeEquals(submitted, value(sessionTokenHash: sessionTokenHash))
    }
}
