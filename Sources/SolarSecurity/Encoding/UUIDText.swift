public import Foundation

/// UUID text without `sscanf` and `snprintf`, which Foundation's `UUID(uuidString:)` and
/// `uuidString` use: rows carry several ids each, and parsing them showed in profiles.
public enum UUIDText {
    private static let lower = Hex.digits
    private static let upper: [UInt8] = Array("0123456789ABCDEF".utf8)

    /// The canonical 36-character form, lower-case (as the database stores ids) or upper-case
    /// (as `uuidString` writes them).
    public static func string(_ id: UUID, uppercase: Bool = false) -> String {
        var out = [UInt8]()
        out.reserveCapacity(36)
        append(id, to: &out, uppercase: uppercase)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends the canonical form to `out`, for serialisers that write bytes.
    public static func append(_ id: UUID, to out: inout [UInt8], uppercase: Bool = false) {
        let digits = uppercase ? upper : lower
        withUnsafeBytes(of: id.uuid) { raw in
            for (i, byte) in raw.enumerated() {
                if i == 4 || i == 6 || i == 8 || i == 10 { out.append(UInt8(ascii: "-")) }
                out.append(digits[Int(byte >> 4)])
                out.append(digits[Int(byte & 0x0F)])
            }
        }
    }

    /// Parses the canonical 36-character form in either case; nil for anything else (stricter
    /// than `UUID(uuidString:)`, whose `sscanf` skips spaces and ignores trailing text).
    public static func parse(_ text: String) -> UUID? {
        var bytes = (0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8,
                     0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8, 0 as UInt8)
        let ok = text.utf8.withContiguousStorageIfAvailable { source -> Bool in
            guard source.count == 36 else { return false }
            return withUnsafeMutableBytes(of: &bytes) { out in
                var at = 0
                for i in 0..<16 {
                    if i == 4 || i == 6 || i == 8 || i == 10 {
                        guard source[at] == UInt8(ascii: "-") else { return false }
                        at += 1
                    }
                    guard let high = nibble(source[at]), let low = nibble(source[at + 1]) else { return false }
                    out[i] = high << 4 | low
                    at += 2
                }
                return true
            }
        }
        guard let ok else {
            // Not contiguous UTF-8 (a bridged string): copy it once.
            var copy = text
            copy.makeContiguousUTF8()
            return parse(copy)
        }
        return ok ? UUID(uuid: bytes) : nil
    }

    private static func nibble(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
