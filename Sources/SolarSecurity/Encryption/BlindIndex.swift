import Crypto
public import Foundation

/// Keyed HMAC-SHA256 "blind index": lets the database find a row by an exact email or phone
/// without storing it. Unlike a plain hash, it cannot be reversed by hashing guesses without
/// the key, which the database does not hold.
public struct BlindIndex: Sendable {
    private let key: SymmetricKey

    public init?(base64: String) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)), data.count >= 32 else { return nil }
        key = SymmetricKey(data: data)
    }

    public static func generateKey() -> String { Data(SecureRandom.bytes(32)).base64EncodedString() }

    func mac(_ purpose: String, _ value: String) -> String {
        HMAC<SHA256>.authenticationCode(for: Data((purpose + ":" + value).utf8), using: key).map { String(format: "%02x", $0) }.joined()
    }

    /// 64 lower-case hex characters for a normalised email.
    public func email(_ normalized: String) -> String { mac("email", normalized) }

    /// 40 hex characters naming a login-throttle counter for a normalised email (keyed, so the
    /// table cannot be matched against a list of addresses without the key).
    public func throttle(_ normalized: String) -> String { String(mac("throttle", normalized).prefix(40)) }

    /// The signature of a trusted-device token's payload (`DeviceToken`).
    public func deviceTag(_ payload: String) -> String { mac("device", payload) }

    /// 16 characters (`h` and 60 bits of the MAC) for an E.164 phone number.
    public func phone(_ e164: String) -> String { "h" + mac("phone", e164).prefix(15) }
}
