/// A small JSON reader for the JSON the store itself wrote (quote lines, sealed sites and
/// contact data): the hot read paths map its values by hand instead of through `JSONDecoder`,
/// whose generic machinery cost more than the query. Strict: anything that is not one whole
/// JSON value is an error, and callers turn errors into `StorageError.corruptRow`.
enum StoredJSON {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([StoredJSON])
    /// Members in document order; looked up by a linear scan (records have a handful of keys,
    /// and hashing every key cost more than comparing them). A repeated key: the last wins.
    case object([(key: String, value: StoredJSON)])

    struct Malformed: Error {}

    static func parse(_ text: String) throws(Malformed) -> StoredJSON {
        var bytes = Array(text.utf8)
        bytes.append(0)
        var reader = Reader(bytes: bytes)
        let value = try reader.value(depth: 0)
        reader.skipSpace()
        guard reader.at == bytes.count - 1 else { throw Malformed() }
        return value
    }

    subscript(key: String) -> StoredJSON? {
        guard case .object(let members) = self else { return nil }
        return members.last { $0.key == key }?.value
    }

    func string() throws(Malformed) -> String {
        guard case .string(let s) = self else { throw Malformed() }
        return s
    }

    /// A string or null (a missing key is null too, as `decodeIfPresent` reads it).
    func optionalString() throws(Malformed) -> String? {
        if case .null = self { return nil }
        return try string()
    }

    func double() throws(Malformed) -> Double {
        guard case .number(let d) = self else { throw Malformed() }
        return d
    }

    /// A whole number that fits Int64 exactly (2^53 at most, as a Double holds it).
    func int64() throws(Malformed) -> Int64 {
        guard case .number(let d) = self, d == d.rounded(), abs(d) <= 9_007_199_254_740_992 else { throw Malformed() }
        return Int64(d)
    }

    private struct Reader {
        let bytes: [UInt8]
        var at = 0

        mutating func skipSpace() {
            while true {
                switch bytes[at] {
                case 0x20, 0x09, 0x0A, 0x0D: at += 1
                default: return
                }
            }
        }

        mutating func value(depth: Int) throws(Malformed) -> StoredJSON {
            guard depth < 32 else { throw Malformed() }
            skipSpace()
            switch bytes[at] {
            case UInt8(ascii: "{"):
                at += 1
                var members: [(key: String, value: StoredJSON)] = []
                skipSpace()
                if bytes[at] == UInt8(ascii: "}") { at += 1; return .object(members) }
                while true {
                    skipSpace()
                    guard bytes[at] == UInt8(ascii: "\"") else { throw Malformed() }
                    let key = try string()
                    skipSpace()
                    guard bytes[at] == UInt8(ascii: ":") else { throw Malformed() }
                    at += 1
                    members.append((key, try value(depth: depth + 1)))
                    skipSpace()
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    guard bytes[at] == UInt8(ascii: "}") else { throw Malformed() }
                    at += 1
                    return .object(members)
                }
            case UInt8(ascii: "["):
                at += 1
                var items: [StoredJSON] = []
                skipSpace()
                if bytes[at] == UInt8(ascii: "]") { at += 1; return .array(items) }
                while true {
                    items.append(try value(depth: depth + 1))
                    skipSpace()
                    if bytes[at] == UInt8(ascii: ",") { at += 1; continue }
                    guard bytes[at] == UInt8(ascii: "]") else { throw Malformed() }
                    at += 1
                    return .array(items)
                }
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            default: return .number(try number())
            }
        }

        mutating func literal(_ word: StaticString) throws(Malformed) {
            let count = word.utf8CodeUnitCount
            guard at + count <= bytes.count - 1 else { throw Malformed() }
            for i in 0..<count where bytes[at + i] != word.utf8Start[i] { throw Malformed() }
            at += count
        }

        mutating func number() throws(Malformed) -> Double {
            let start = at
            // Fast path: a plain integer of up to 15 digits (amounts in cents) is exact in a
            // Double and needs no strtod.
            var negative = false
            if bytes[at] == UInt8(ascii: "-") { negative = true; at += 1 }
            var whole: Int64 = 0, digits = 0
            while case let byte = bytes[at], byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9"), digits < 15 {
                whole = whole * 10 + Int64(byte - UInt8(ascii: "0"))
                digits += 1
                at += 1
            }
            switch bytes[at] {
            case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                at = start
            default:
                guard digits > 0 else { throw Malformed() }
                return negative ? -Double(whole) : Double(whole)
            }
            scan: while true {
                switch bytes[at] {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"):
                    at += 1
                default: break scan
                }
            }
            guard at > start, let value = Double(String(decoding: bytes[start..<at], as: UTF8.self)), value.isFinite else { throw Malformed() }
            return value
        }

        /// A string literal; `at` is on its opening quote.
        mutating func string() throws(Malformed) -> String {
            at += 1
            // Fast path: no escape before the closing quote, so the bytes are the string.
            let start = at
            while case let byte = bytes[at], byte >= 0x20, byte != UInt8(ascii: "\\") {
                if byte == UInt8(ascii: "\"") {
                    at += 1
                    return String(decoding: bytes[start..<(at - 1)], as: UTF8.self)
                }
                at += 1
            }
            var out = Array(bytes[start..<at])
            while true {
                let byte = bytes[at]
                switch byte {
                case UInt8(ascii: "\""):
                    at += 1
                    return String(decoding: out, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    at += 1
                    let escaped = bytes[at]
                    at += 1
                    switch escaped {
                    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escaped)
                    case UInt8(ascii: "b"): out.append(0x08)
                    case UInt8(ascii: "f"): out.append(0x0C)
                    case UInt8(ascii: "n"): out.append(0x0A)
                    case UInt8(ascii: "r"): out.append(0x0D)
                    case UInt8(ascii: "t"): out.append(0x09)
                    case UInt8(ascii: "u"):
                        var scalar = try hex4()
                        if (0xD800..<0xDC00).contains(scalar) {
                            guard at + 1 < bytes.count, bytes[at] == UInt8(ascii: "\\"), bytes[at + 1] == UInt8(ascii: "u") else { throw Malformed() }
                            at += 2
                            let low = try hex4()
                            guard (0xDC00..<0xE000).contains(low) else { throw Malformed() }
                            scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                        }
                        guard let unicode = Unicode.Scalar(scalar) else { throw Malformed() }
                        out.append(contentsOf: Array(String(Character(unicode)).utf8))
                    default: throw Malformed()
                    }
                case 0x00..<0x20:
                    // Includes the terminating 0: an unterminated string.
                    throw Malformed()
                default:
                    out.append(byte)
                    at += 1
                }
            }
        }

        mutating func hex4() throws(Malformed) -> UInt32 {
            var value: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[at]
                let digit: UInt8 = switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
                default: throw Malformed()
                }
                value = value << 4 | UInt32(digit)
                at += 1
            }
            return value
        }
    }
}
