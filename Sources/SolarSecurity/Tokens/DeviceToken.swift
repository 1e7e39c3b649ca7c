public import Foundation

/// A device that logged in to an account before (OWASP's "device cookie"): a signed,
/// stateless token naming the account's throttle key, a random device id and the issue time.
/// A login that presents a valid one for the same account is not held by the account's lock,
/// so an attacker who knows an email cannot lock its owner out; address limits still apply.
public enum DeviceToken {
    /// How long a device stays trusted without logging in again.
    public static let lifetime: TimeInterval = 180 * 86_400

    /// `v1.<account key>.<device id>.<issued, seconds>.<HMAC>`, signed with `index`'s key.
    public static func issue(accountKey: String, index: BlindIndex, now: Date) -> String {
        let payload = "v1.\(accountKey).\(Base64URL.encode(SecureRandom.bytes(12))).\(Int(now.timeIntervalSince1970))"
        return payload + "." + index.deviceTag(payload)
    }

    /// True when `token` was issued by this server for `accountKey` and has not expired.
    public static func isValid(_ token: String, accountKey: String, index: BlindIndex, now: Date) -> Bool {
        isValid(token, accountKeys: [accountKey], index: index, now: now)
    }

    /// The same, for an account whose throttle key has one form per key of the index ring (a
    /// token issued before a blind-index rotation names the account by the older key).
    public static func isValid(_ token: String, accountKeys: [String], index: BlindIndex, now: Date) -> Bool {
        guard token.utf8.count <= 256 else { return false }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 5, parts[0] == "v1", let issued = Int(parts[3]) else { return false }
        let payload = parts[0..<4].joined(separator: ".")
        guard index.isDeviceTag(String(parts[4]), of: payload), accountKeys.contains(String(parts[1])) else { return false }
        let age = now.timeIntervalSince1970 - Double(issued)
        return age >= -60 && age <= lifetime
    }
}
