import Crypto
public import Foundation

/// Time-based one-time passwords (RFC 6238): HMAC-SHA1, 30-second steps, 6 digits.
///
/// `verify` accepts the current step and one step either side (clock skew) and returns the
/// matched step, so callers can store it and refuse any code of that step or earlier (replay).
public struct TOTP: Sendable, Equatable {
    public let secret: [UInt8]
    public var digits = 6
    public var period: TimeInterval = 30

    public init(secret: [UInt8]) {
        self.secret = secret
    }

    /// A new random 160-bit secret (RFC 4226 recommends at least 128).
    public static func generateSecret() -> [UInt8] {
        SecureRandom.bytes(20)
    }

    public func step(at date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 / period).rounded(.down))
    }

    /// The code for a time step, zero-padded to `digits`.
    public func code(step: Int64) -> String {
        var counter = UInt64(bitPattern: step).bigEndian
        let message = withUnsafeBytes(of: &counter) { Array($0) }
        let mac = Array(HMAC<Insecure.SHA1>.authenticationCode(for: message, using: SymmetricKey(data: secret)))
        let offset = Int(mac[mac.count - 1] & 0x0F)
        let binary = (UInt32(mac[offset] & 0x7F) << 24) | (UInt32(mac[offset + 1]) << 16) | (UInt32(mac[offset + 2]) << 8) | UInt32(mac[offset + 3])
        var modulus: UInt32 = 1
        for _ in 0..<digits { modulus *= 10 }
        let value = String(binary % modulus)
        return String(repeating: "0", count: digits - value.count) + value
    }

    /// The step a code matches at `date` (±1 step), or nil. Codes are compared in constant time.
    public func verify(_ code: String, at date: Date) -> Int64? {
        guard code.count == digits, code.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        let now = step(at: date)
        var match: Int64?
        for candidate in [now - 1, now, now + 1] where constantTimeEquals(self.code(step: candidate), code) {
            match = candidate
        }
        return match
    }

    /// The `otpauth://` URI for authenticator apps (shown as a QR code by clients).
    public func provisioningURI(account: String, issuer: String = "SolarDispatch") -> String {
        var components = URLComponents()
        components.scheme = "otpauth"
        components.host = "totp"
        components.path = "/\(issuer):\(account)"
        components.queryItems = [
            URLQueryItem(name: "secret", value: Base32.encode(secret)),
            URLQueryItem(name: "issuer", value: issuer),
            URLQueryItem(name: "algorithm", value: "SHA1"),
            URLQueryItem(name: "digits", value: String(digits)),
            URLQueryItem(name: "period", value: String(Int(period))),
        ]
        return components.string ?? ""
    }
}

/// RFC 4648 base32 without padding (the format authenticator apps expect).
public enum Base32 {
    static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

    public static func encode(_ bytes: [UInt8]) -> String {
        var output = ""
        var buffer = 0, bits = 0
        for byte in bytes {
            buffer = (buffer << 8) | Int(byte)
            bits += 8
            while bits >= 5 {
                output.append(alphabet[(buffer >> (bits - 5)) & 31])
                bits -= 5
            }
        }
        if bits > 0 { output.append(alphabet[(buffer << (5 - bits)) & 31]) }
        return output
    }

    public static func decode(_ text: String) -> [UInt8]? {
        var output: [UInt8] = []
        var buffer = 0, bits = 0
        for char in text.uppercased() where char != "=" {
            guard let index = alphabet.firstIndex(of: char) else { return nil }
            buffer = (buffer << 5) | index
            bits += 5
            if bits >= 8 {
                output.append(UInt8((buffer >> (bits - 8)) & 0xFF))
                bits -= 8
            }
        }
        return output
    }
}
