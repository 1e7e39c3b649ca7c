/// The body of a JSON string literal, for the serialisers written by hand (the audit chain's
/// canonical form, the order responses): `"` and `\` escaped, `\b \f \n \r \t`, other control
/// characters as `\u00xx`, everything else as UTF-8. `escapingSlash` also writes `/` as `\/`,
/// as `JSONEncoder` does; the audit chain keeps `/` as is, as `JSONSerialization` wrote it with
/// `.withoutEscapingSlashes` when the chain began.
public enum JSONEscape {
    public static func append(_ text: String, to out: inout [UInt8], escapingSlash: Bool) {
        // Most values need no escape: copy them whole. A native string's UTF-8 is contiguous,
        // and scanning it as a buffer is several times faster than through `utf8`.
        let copied = text.utf8.withContiguousStorageIfAvailable { buffer -> Bool in
            for byte in buffer where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || (escapingSlash && byte == UInt8(ascii: "/")) {
                return false
            }
            out.append(contentsOf: buffer)
            return true
        }
        if copied == true { return }
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case UInt8(ascii: "/") where escapingSlash: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "/")])
            case 0x08: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "b")])
            case 0x0C: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "f")])
            case 0x0A: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0x00..<0x20:
                out.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")])
                out.append(Hex.digits[Int(byte >> 4)])
                out.append(Hex.digits[Int(byte & 0x0F)])
            default: out.append(byte)
            }
        }
    }
}
