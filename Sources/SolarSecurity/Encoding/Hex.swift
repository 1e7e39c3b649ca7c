/// Lower-case hexadecimal text for digests and MACs, without a formatter per byte
/// (`String(format: "%02x")` cost more than the SHA-256 it printed).
public enum Hex {
    /// Lower-case hex digits, shared with the other hand-written encoders of this module.
    static let digits: [UInt8] = Array("0123456789abcdef".utf8)

    public static func encode<Bytes: Sequence<UInt8>>(_ bytes: Bytes) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.underestimatedCount * 2)
        for byte in bytes {
            out.append(digits[Int(byte >> 4)])
            out.append(digits[Int(byte & 0x0F)])
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Whether `hex` is the lower-case hex text of `bytes`, in time that does not depend on
    /// where they differ.
    public static func constantTimeEquals<Bytes: Sequence<UInt8>>(_ bytes: Bytes, hex: UnsafeBufferPointer<UInt8>) -> Bool {
        var diff: UInt8 = 0, at = 0
        for byte in bytes {
            guard at + 1 < hex.count else { return false }
            diff |= hex[at] ^ digits[Int(byte >> 4)]
            diff |= hex[at + 1] ^ digits[Int(byte & 0x0F)]
            at += 2
        }
        return diff == 0 && at == hex.count
    }
}
