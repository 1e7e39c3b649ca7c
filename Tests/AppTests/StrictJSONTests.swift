@testable import App
import Foundation
import Testing

@Suite("Strict JSON parsing of request bodies")
struct StrictJSONTests {
    static func parses(_ text: String) -> Bool {
        (try? StrictJSON.parse(Array(text.utf8))) != nil
    }

    @Test("a key twice in one object is refused at any depth, compared after unescaping", arguments: [
        #"{"a":1,"a":1}"#,
        #"{"a":1,"b":2,"a":{"c":3}}"#,
        #"{"x":{"y":{"a":1,"a":2}}}"#,
        #"{"items":[{"a":1},{"b":1,"b":2}]}"#,
        #"[[{"a":1,"a":1}]]"#,
        #"{"a":1,"\u0061":2}"#,
        #"{"\u0061":1,"\u0061":2}"#,
        #"{"a/b":1,"a\/b":2}"#,
        #"{"\ud83d\ude00":1,"😀":2}"#,
        // Canonically equivalent spellings are the same Swift string, hence the same key to
        // the shape check and to JSONDecoder.
        #"{"é":1,"e\u0301":2}"#,
        "{\"\u{E9}\":1,\"e\u{301}\":2}",
    ])
    func duplicates(_ body: String) {
        #expect(!Self.parses(body), "\(body)")
    }

    @Test("the same key in different objects is fine")
    func siblings() throws {
        #expect(Self.parses(#"{"a":{"k":1},"b":{"k":1},"k":[{"k":1},{"k":2}]}"#))
        #expect(Self.parses(#"{"a":1,"A":2,"a ":3}"#))
    }

    @Test("anything but strict RFC 8259 JSON is refused", arguments: [
        "", " ", "{", "{}}", "{} x", "{,}", #"{"a":1,}"#, "[1,]", #"{"a" 1}"#, #"{a:1}"#, "{'a':1}",
        #"{"a":01}"#, #"{"a":1.}"#, #"{"a":.5}"#, #"{"a":+1}"#, #"{"a":1e}"#, #"{"a":-}"#, #"{"a":NaN}"#,
        #"{"a":Infinity}"#, #"{"a":tru}"#, #"{"a":nul}"#, #"{"a":1}// c"#, "/* c */{}",
        #"{"a":"\ud800"}"#, #"{"a":"\udc00\ud800"}"#, #"{"a":"\ud800x"}"#, #"{"a":"\x41"}"#, #"{"a":"\u12"}"#,
        "{\"a\":\"tab\there\"}", "{\"a\":\"nul\u{0}\"}", "\u{FEFF}{}", "{}\u{0}",
    ])
    func malformed(_ body: String) {
        #expect(!Self.parses(body), "\(body.debugDescription)")
    }

    @Test("invalid UTF-8 in a string is refused")
    func invalidUTF8() {
        for bytes: [UInt8] in [[0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D], [0x7B, 0x22, 0xC3, 0x22, 0x3A, 0x31, 0x7D],
                               [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D]] {
            #expect((try? StrictJSON.parse(bytes)) == nil, "\(bytes)")
        }
    }

    @Test("nesting is limited")
    func depth() {
        let limit = StrictJSON.maximumDepth
        #expect(Self.parses(String(repeating: "[", count: limit) + String(repeating: "]", count: limit)))
        #expect(!Self.parses(String(repeating: "[", count: limit + 1) + String(repeating: "]", count: limit + 1)))
        #expect(!Self.parses(String(repeating: #"{"a":"#, count: limit + 1) + "1" + String(repeating: "}", count: limit + 1)))
        #expect(!Self.parses(String(repeating: "[", count: 100_000)))
    }

    struct Sample: Decodable, Equatable {
        var text: String
        var number: Double
        var integer: Int
        var flags: [Bool]
        var nothing: String?
        var nested: [String: [Int]]
    }

    @Test("what it accepts, written back out, decodes to the same values")
    func roundTrip() throws {
        let body = #" { "text" : "caf\u00e9 \ud83d\ude00 \"q\" \\ \/ \b\f\n\r\t \u0000 ñ 😀", "number": -12.5e-1, "integer": 0,"#
            + #" "flags": [true, false], "nothing": null, "nested": {"a": [], "b": [1, 2]} } "#
        let value = try StrictJSON.parse(Array(body.utf8))
        let direct = try JSONDecoder().decode(Sample.self, from: Data(body.utf8))
        let viaTree = try JSONDecoder().decode(Sample.self, from: value.serialized)
        #expect(direct == viaTree)
        #expect(viaTree.text == "café 😀 \"q\" \\ / \u{8}\u{C}\n\r\t \u{0} ñ 😀")
        #expect(viaTree.number == -1.25)
        // Written out again, it reads back to the same bytes.
        #expect(try StrictJSON.parse(value.serialized).serialized == value.serialized)
    }
}
