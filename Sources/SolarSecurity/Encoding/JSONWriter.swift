public import Foundation

/// Writes JSON straight into bytes, the way `JSONEncoder` writes it (ISO 8601 dates in whole
/// seconds, upper-case UUIDs, `/` escaped, nil members left out), without `Codable`'s
/// containers: the hottest responses (order lists and orders) and the JSON the store keeps
/// (quote lines, sealed sites). Encoding 20 orders through `JSONEncoder` cost more than reading
/// and decrypting them. `FastJSONTests` and `StoredJSONTests` compare the two.
@frozen public struct JSONWriter: Sendable {
    /// The document so far.
    public var bytes: [UInt8] = []
    @usableFromInline var needsComma = false

    @inlinable public init(capacity: Int = 1024) { bytes.reserveCapacity(capacity) }

    @inlinable public mutating func object(_ body: (inout JSONWriter) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "{"))
        needsComma = false
        body(&self)
        bytes.append(UInt8(ascii: "}"))
        needsComma = true
    }

    @inlinable public mutating func array<S: Sequence>(_ items: S, _ body: (inout JSONWriter, S.Element) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "["))
        needsComma = false
        for item in items { body(&self, item) }
        bytes.append(UInt8(ascii: "]"))
        needsComma = true
    }

    /// A member name; the value follows.
    @inlinable public mutating func key(_ name: StaticString) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        bytes.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
        bytes.append(UInt8(ascii: "\""))
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    @inlinable public mutating func string(_ value: String) {
        quoted { JSONEscape.append(value, to: &$0, escapingSlash: true) }
    }

    /// A string value whose body `write` appends (already escaped).
    @inlinable mutating func quoted(_ write: (inout [UInt8]) -> Void) {
        separate()
        bytes.append(UInt8(ascii: "\""))
        write(&bytes)
        bytes.append(UInt8(ascii: "\""))
        needsComma = true
    }

    @inlinable public mutating func int<I: BinaryInteger>(_ value: I) {
        separate()
        needsComma = true
        guard let whole = Int64(exactly: value) else { return bytes.append(contentsOf: String(value).utf8) }
        // Digit by digit, without a String per number.
        if whole < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = whole.magnitude
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(buffer[i]) }
        }
    }

    @inlinable public mutating func double(_ value: Double) {
        // As JSONEncoder: integral values without ".0".
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        raw(text)
    }

    @inlinable public mutating func uuid(_ value: UUID) {
        quoted { UUIDText.append(value, to: &$0, uppercase: true) }
    }

    /// ISO 8601 in whole seconds, UTC (`2026-12-04T11:00:37Z`), as `.iso8601` writes it.
    @inlinable public mutating func date(_ value: Date) {
        let seconds = Int64(value.timeIntervalSince1970.rounded(.down))
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let secondOfDay = seconds - days * 86_400
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
        separate()
        bytes.append(UInt8(ascii: "\""))
        // Years before 0 or after 9999 do not occur here; they would be written wider, not cut.
        if year < 0 || year > 9999 { bytes.append(contentsOf: String(year).utf8) } else { digits(year, 4) }
        bytes.append(UInt8(ascii: "-")); digits(month, 2)
        bytes.append(UInt8(ascii: "-")); digits(day, 2)
        bytes.append(UInt8(ascii: "T")); digits(secondOfDay / 3600, 2)
        bytes.append(UInt8(ascii: ":")); digits(secondOfDay / 60 % 60, 2)
        bytes.append(UInt8(ascii: ":")); digits(secondOfDay % 60, 2)
        bytes.append(contentsOf: [UInt8(ascii: "Z"), UInt8(ascii: "\"")])
        needsComma = true
    }

    /// `value` (0 or more) in exactly `width` decimal digits.
    @usableFromInline mutating func digits(_ value: Int64, _ width: Int) {
        var divisor: Int64 = 1
        for _ in 1..<width { divisor *= 10 }
        var rest = value
        while divisor > 0 {
            bytes.append(UInt8(ascii: "0") + UInt8(rest / divisor % 10))
            rest %= divisor
            divisor /= 10
        }
    }

    @inlinable public mutating func null() { raw("null") }

    @usableFromInline mutating func raw(_ text: String) {
        separate()
        bytes.append(contentsOf: text.utf8)
        needsComma = true
    }

    @usableFromInline mutating func separate() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }
}
