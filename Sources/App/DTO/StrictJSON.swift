import Foundation

/// A JSON document as `StrictJSON.parse` read it. Objects keep their members in order; their
/// keys are unique.
indirect enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// The number exactly as written (RFC 8259 grammar), so nothing is rounded here.
    case number(String)
    case string(String)
    case array([JSONValue])
    case object([(key: String, value: JSONValue)])
}

/// A strict RFC 8259 parser for request bodies. It walks the bytes once and refuses what
/// lenient parsers resolve silently, and differently from each other:
/// - a key that appears twice in one object, at any depth, compared after unescaping
///   (`"a"` and `"\u0061"` are the same key) with Swift string equality (canonically
///   equivalent spellings such as `"é"` and `"e\u0301"` are the same key too), which is how
///   the shape check and `JSONDecoder` look keys up;
/// - invalid UTF-8, unpaired UTF-16 surrogates in `\u` escapes, raw control characters in
///   strings, a byte-order mark, comments, trailing commas, `NaN` and other non-JSON tokens,
///   and anything after the document;
/// - nesting deeper than `maximumDepth`.
///
/// `decodeBody` checks the shape on the parsed tree and hands `JSONDecoder` the tree written
/// back out (`serialized`), so the shape check and the decoder see one and the same document.
enum StrictJSON {
    struct Malformed: Error, Equatable {
        let offset: Int
    }

    static let maximumDepth = 64

    static func parse(_ bytes: some Collection<UInt8>) throws(Malformed) -> JSONValue {
        var parser = Parser(bytes: Array(bytes))
        parser.skipWhitespace()
        let value = try parser.value(depth: 0)
        parser.skipWhitespace()
        guard parser.index == parser.bytes.count else { throw Malformed(offset: parser.index) }
        return value
    }

    private struct Parser {
        let bytes: [UInt8]
        var index = 0

        init(bytes: [UInt8]) {
            self.bytes = bytes
        }

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        func fail() -> Malformed { Malformed(offset: index) }

        mutating func skipWhitespace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        mutating func expect(_ byte: UInt8) throws(Malformed) {
            guard peek == byte else { throw fail() }
            index += 1
        }

        mutating func literal(_ word: StaticString) throws(Malformed) {
            let text = UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount)
            guard bytes.count - index >= text.count, bytes[index..<index + text.count].elementsEqual(text) else { throw fail() }
            index += text.count
        }

        mutating func value(depth: Int) throws(Malformed) -> JSONValue {
            guard let byte = peek else { throw fail() }
            switch byte {
            case UInt8(ascii: "{"): return try object(depth: depth + 1)
            case UInt8(ascii: "["): return try array(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try string())
            case UInt8(ascii: "t"): try literal("true"); return .bool(true)
            case UInt8(ascii: "f"): try literal("false"); return .bool(false)
            case UInt8(ascii: "n"): try literal("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try number())
            default: throw fail()
            }
        }

        mutating func object(depth: Int) throws(Malformed) -> JSONValue {
            guard depth <= StrictJSON.maximumDepth else { throw fail() }
            try expect(UInt8(ascii: "{"))
            var members: [(key: String, value: JSONValue)] = []
            var keys = Set<String>()
            skipWhitespace()
            if peek == UInt8(ascii: "}") {
                index += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                let keyStart = index
                let key = try string()
                guard keys.insert(key).inserted else { throw Malformed(offset: keyStart) }
                skipWhitespace()
                try expect(UInt8(ascii: ":"))
                skipWhitespace()
                members.append((key, try value(depth: depth)))
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "}"))
                return .object(members)
            }
        }

        mutating func array(depth: Int) throws(Malformed) -> JSONValue {
            guard depth <= StrictJSON.maximumDepth else { throw fail() }
            try expect(UInt8(ascii: "["))
            var elements: [JSONValue] = []
            skipWhitespace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return .array(elements)
            }
            while true {
                skipWhitespace()
                elements.append(try value(depth: depth))
                skipWhitespace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                    continue
                }
                try expect(UInt8(ascii: "]"))
                return .array(elements)
            }
        }

        mutating func number() throws(Malformed) -> String {
            let start = index
            if peek == UInt8(ascii: "-") { index += 1 }
            guard let first = peek, isDigit(first) else { throw fail() }
            index += 1
            if first != UInt8(ascii: "0") { digits() }
            if peek == UInt8(ascii: ".") {
                index += 1
                guard let next = peek, isDigit(next) else { throw fail() }
                digits()
            }
            if peek == UInt8(ascii: "e") || peek == UInt8(ascii: "E") {
                index += 1
                if peek == UInt8(ascii: "+") || peek == UInt8(ascii: "-") { index += 1 }
                guard let next = peek, isDigit(next) else { throw fail() }
                digits()
            }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }

        func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

        mutating func digits() {
            while let byte = peek, isDigit(byte) { index += 1 }
        }

        /// A string: raw runs must be valid UTF-8 without control characters; escapes are
        /// decoded, and a `\u` surrogate must come in a high-low pair.
        mutating func string() throws(Malformed) -> String {
            try expect(UInt8(ascii: "\""))
            var result = ""
            var runStart = index
            func flush(_ parser: Parser, upTo end: Int) throws(Malformed) {
                guard runStart < end else { return }
                guard let run = String(validating: parser.bytes[runStart..<end], as: UTF8.self) else { throw Malformed(offset: runStart) }
                result += run
            }
            while true {
                guard let byte = peek else { throw fail() }
                switch byte {
                case UInt8(ascii: "\""):
                    try flush(self, upTo: index)
                    index += 1
                    return result
                case UInt8(ascii: "\\"):
                    try flush(self, upTo: index)
                    index += 1
                    result.unicodeScalars.append(try escape())
                    runStart = index
                case 0x00..<0x20:
                    throw fail()
                default:
                    index += 1
                }
            }
        }

        mutating func escape() throws(Malformed) -> Unicode.Scalar {
            guard let byte = peek else { throw fail() }
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return "\""
            case UInt8(ascii: "\\"): return "\\"
            case UInt8(ascii: "/"): return "/"
            case UInt8(ascii: "b"): return "\u{08}"
            case UInt8(ascii: "f"): return "\u{0C}"
            case UInt8(ascii: "n"): return "\n"
            case UInt8(ascii: "r"): return "\r"
            case UInt8(ascii: "t"): return "\t"
            case UInt8(ascii: "u"):
                let unit = try hex4()
                switch unit {
                case 0xD800...0xDBFF:
                    try expect(UInt8(ascii: "\\"))
                    try expect(UInt8(ascii: "u"))
                    let low = try hex4()
                    guard (0xDC00...0xDFFF).contains(low) else { throw fail() }
                    let value = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
                    guard let scalar = Unicode.Scalar(value) else { throw fail() }
                    return scalar
                case 0xDC00...0xDFFF:
                    throw fail()
                default:
                    guard let scalar = Unicode.Scalar(unit) else { throw fail() }
                    return scalar
                }
            default:
                throw fail()
            }
        }

        mutating func hex4() throws(Malformed) -> UInt16 {
            var value: UInt16 = 0
            for _ in 0..<4 {
                guard let byte = peek else { throw fail() }
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw fail()
                }
                value = value << 4 | UInt16(digit)
                index += 1
            }
            return value
        }
    }
}

extension JSONValue {
    /// The document written back out as compact JSON: members in the order read, strings
    /// escaped only where JSON requires it, numbers as written.
    var serialized: Data {
        var out: [UInt8] = []
        write(to: &out)
        return Data(out)
    }

    private func write(to out: inout [UInt8]) {
        switch self {
        case .null: out += Array("null".utf8)
        case .bool(let value): out += Array((value ? "true" : "false").utf8)
        case .number(let text): out += Array(text.utf8)
        case .string(let text): Self.writeString(text, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                element.write(to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let members):
            out.append(UInt8(ascii: "{"))
            for (i, member) in members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                Self.writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                member.value.write(to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    private static func writeString(_ text: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"):
                out += [UInt8(ascii: "\\"), byte]
            case 0x00..<0x20:
                out += Array("\\u00".utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default:
                out.append(byte)
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
