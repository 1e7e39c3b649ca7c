import Crypto
public import Foundation

/// Keyed HMAC-SHA256 "blind index": lets the database find a row by an exact email or phone
/// without storing it. Unlike a plain hash, it cannot be reversed by hashing guesses without
/// the key, which the database does not hold.
///
/// `BLIND_INDEX_KEY` is one key or a ring, newest first (`new,old`): new indexes, throttle keys
/// and device tokens use the newest key; lookups try every key's index and device tokens signed
/// by an older key stay valid, until `solar keys reindex` has moved every row to the newest key
/// and the old one is dropped (ASVS V11.2.2).
public struct BlindIndex: Sendable {
    private let keys: [SymmetricKey]

    public init?(base64: String) {
        let parts = base64.split(separator: ",").map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        let decoded = parts.compactMap { Data(base64Encoded: $0) }
        guard !parts.isEmpty, decoded.count == parts.count, decoded.allSatisfy({ $0.count >= 32 }), Set(decoded).count == decoded.count else { return nil }
        keys = decoded.map { SymmetricKey(data: $0) }
    }

    public static func generateKey() -> String { Data(SecureRandom.bytes(32)).base64EncodedString() }

    /// How many keys the ring holds (1 + retired keys still accepted).
    public var keyCount: Int { keys.count }

    static func mac(_ purpose: String, _ value: String, _ key: SymmetricKey) -> String {
        Hex.encode(HMAC<SHA256>.authenticationCode(for: Array((purpose + ":" + value).utf8), using: key))
    }

    func mac(_ purpose: String, _ value: String) -> String { Self.mac(purpose, value, keys[0]) }

    /// 64 lower-case hex characters for a normalised email (newest key).
    public func email(_ normalized: String) -> String { mac("email", normalized) }

    /// The email's index under every key of the ring, newest first (lookups during a rotation).
    public func emails(_ normalized: String) -> [String] { keys.map { Self.mac("email", normalized, $0) } }

    /// 40 hex characters naming a login-throttle counter for a normalised email (keyed, so the
    /// table cannot be matched against a list of addresses without the key).
    public func throttle(_ normalized: String) -> String { String(mac("throttle", normalized).prefix(40)) }

    /// The throttle name under every key of the ring, newest first.
    public func throttles(_ normalized: String) -> [String] { keys.map { String(Self.mac("throttle", normalized, $0).prefix(40)) } }

    /// The signature of a trusted-device token's payload (`DeviceToken`), newest key.
    public func deviceTag(_ payload: String) -> String { mac("device", payload) }

    /// Whether `tag` signs `payload` under any key of the ring.
    public func isDeviceTag(_ tag: String, of payload: String) -> Bool {
        keys.contains { constantTimeEquals(tag, Self.mac("device", payload, $0)) }
    }

    /// 16 characters (`h` and 60 bits of the MAC) for an E.164 phone number.
    public func phone(_ e164: String) -> String { "h" + mac("phone", e164).prefix(15) }

    /// The phone's index under every key of the ring, newest first.
    public func phones(_ e164: String) -> [String] { keys.map { "h" + Self.mac("phone", e164, $0).prefix(15) } }
}
