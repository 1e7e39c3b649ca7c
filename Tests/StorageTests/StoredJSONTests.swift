import Domain
import Foundation
@testable import Storage
import Testing

/// The hand-written reader of the JSON the store writes must read exactly what `JSONEncoder`
/// wrote, and refuse anything else.
@Suite("Stored JSON reader")
struct StoredJSONTests {
    static let awkward = ["", "plain", "quote \" backslash \\ slash /", "tab\tnewline\ncr\r", "\u{0}\u{1}\u{1F}\u{7F}",
                          "é ñ 家 😀 \u{2028}", "\u{FEFF}bom", String(repeating: "x", count: 5000)]

    @Test("quote lines and sealed records written by JSONEncoder read back the same")
    func roundTrip() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for text in Self.awkward {
            let lines = [QuoteLine(code: text, description: "d" + text, amountCents: -12_345), QuoteLine(code: "b", description: "", amountCents: 9_007_199_254_740_992)]
            let json = String(decoding: try encoder.encode(lines), as: UTF8.self)
            #expect(try StoredJSON.readArray(of: QuoteLine.self, json, column: "q") == lines)
            let site = FieldProtection.Site(line1: text, line2: nil, postalCode: "28014", latitude: 40.416_775_123, longitude: -3.703_790_1, notes: text)
            let read = try StoredJSON.read(FieldProtection.Site.self, String(decoding: try JSONEncoder().encode(site), as: UTF8.self), column: "s")
            #expect(read.line1 == text && read.line2 == nil && read.notes == text && read.latitude == site.latitude && read.longitude == site.longitude)
        }
        // JSONSerialization's escapes (\/ and \u) read the same as the raw characters.
        guard case .array(let items) = try StoredJSON.parse(#"["a\/b\u00e9\ud83d\ude00\u0000"]"#) else { Issue.record("not an array"); return }
        #expect(try items.map { try $0.string() } == ["a/bé😀\u{0}"])
    }

    @Test("quote lines and sites written by hand are the bytes JSONEncoder with sorted keys writes, and read back the same")
    func writtenByHand() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        for text in Self.awkward {
            let lines = [QuoteLine(code: text, description: "d/" + text, amountCents: -12_345), QuoteLine(code: "b", description: "", amountCents: 9_007_199_254_740_992)]
            #expect(StoredJSON.text(array: lines) == String(decoding: try encoder.encode(lines), as: UTF8.self))
            #expect(try StoredJSON.readArray(of: QuoteLine.self, StoredJSON.text(array: lines), column: "q") == lines)
            for (line2, notes) in [(nil, nil), ("2º " + text, text)] as [(String?, String?)] {
                let site = FieldProtection.Site(line1: text, line2: line2, postalCode: "28014", latitude: 40.416_775_123, longitude: -3.703_790_1, notes: notes)
                #expect(StoredJSON.text(site) == String(decoding: try encoder.encode(site), as: UTF8.self))
                let read = try StoredJSON.read(FieldProtection.Site.self, StoredJSON.text(site), column: "s")
                #expect(read.line1 == text && read.line2 == line2 && read.notes == notes && read.latitude == site.latitude && read.longitude == site.longitude)
            }
        }
        for text in Self.awkward {
            let pii = FieldProtection.AccountPII(email: text + "@example.com", name: text, phone: "+34 600/" + text)
            #expect(StoredJSON.text(pii) == String(decoding: try encoder.encode(pii), as: UTF8.self))
            let read = try StoredJSON.read(FieldProtection.AccountPII.self, StoredJSON.text(pii), column: "p")
            #expect(read.email == pii.email && read.name == pii.name && read.phone == pii.phone)
        }
        #expect(StoredJSON.text(array: [QuoteLine]()) == "[]")
    }

    @Test("numbers read as strtod reads them, whether whole, long, negative or fractional")
    func numbers() throws {
        let texts = ["0", "-0", "7", "-7", "285000", "123456789012345", "-123456789012345", "1234567890123456", "9007199254740993",
                     "1.5", "-2.5e3", "1e2", "40.416775123", "-3.7037901", "0.1"]
        guard case .array(let items) = try StoredJSON.parse("[" + texts.joined(separator: ",") + "]") else { Issue.record("not an array"); return }
        #expect(try items.map { try $0.double() } == texts.map { Double($0)! })
        #expect(try StoredJSON.parse("-0").double().sign == .minus)
    }

    @Test("malformed or truncated JSON is a corrupt row, never a crash", arguments: [
        "", " ", "[", "[{", #"[{"code":"a""#, #"{"a":1,}"#, "[1,]", #""abc"#, #""\"#, #""\u12"#, #""\ud83d""#, #""\ud83d\u0041""#,
        "tru", "nul", "1e", "-", "[1] 2", #"{"a" 1}"#, "\u{1}", String(repeating: "[", count: 100),
    ])
    func malformed(_ text: String) {
        #expect(throws: StorageError.self) { try StoredJSON.readArray(of: QuoteLine.self, text, column: "q") }
    }

    @Test("a line without a field, or with a fractional amount, is refused")
    func wrongShape() {
        #expect(throws: StorageError.self) { try StoredJSON.readArray(of: QuoteLine.self, #"[{"code":"a","amountCents":1}]"#, column: "q") }
        #expect(throws: StorageError.self) { try StoredJSON.readArray(of: QuoteLine.self, #"[{"code":"a","description":"b","amountCents":1.5}]"#, column: "q") }
        #expect(throws: StorageError.self) { try StoredJSON.readArray(of: QuoteLine.self, #"{"code":"a"}"#, column: "q") }
    }
}
