import Crypto
import Foundation
import SolarSecurity
import Testing

@Suite("Audit chain canonical form")
struct AuditCanonicalTests {
    /// What the chain used before the hand-written serialiser: every entry written then must
    /// hash to the same bytes now.
    static func reference(_ fields: [String?]) -> String {
        let escaped = fields.map { field -> String in
            guard let field else { return "null" }
            let data = try! JSONSerialization.data(withJSONObject: [field], options: [.withoutEscapingSlashes])
            return String(decoding: data.dropFirst().dropLast(), as: UTF8.self)
        }
        return "[" + escaped.joined(separator: ",") + "]"
    }

    @Test("matches JSONSerialization for every character below U+0800, and beyond")
    func canonicalMatchesJSONSerialization() {
        var samples: [String?] = (0..<0x800).compactMap { Unicode.Scalar($0).map { "a\(Character($0))z" } }
        samples += ["", "\u{2028}\u{2029}", "\u{FEFF}", "é\u{301}", "😀 家", "\u{10FFFF}", "a/b\\c\"d", "\u{7F}\u{80}", nil]
        for chunk in stride(from: 0, to: samples.count, by: 7) {
            let fields = Array(samples[chunk..<min(chunk + 7, samples.count)])
            #expect(AuditChain.canonical(fields) == Self.reference(fields), "\(fields)")
        }
        #expect(AuditChain.canonical([nil, "x"]) == #"[null,"x"]"#)
    }

    @Test("the entry hash written in one buffer is the hash of the canonical text")
    func entryHashInOneBuffer() throws {
        let chain = try #require(AuditChain(key: SecureRandom.bytes(32)))
        for fields in [[], [nil], ["a/b\\c\"d", nil, "😀 家\n", ""], (0..<12).map { Optional("field \($0)") }] as [[String?]] {
            for previous in [AuditChain.genesis, "", "abc"] {
                #expect(chain.entryHash(previous: previous, fields: fields) == chain.entryHash(previous: previous, canonical: AuditChain.canonical(fields)))
            }
        }
    }

    @Test("hex matches the per-byte formatter")
    func hex() {
        let bytes = (0...255).map(UInt8.init)
        #expect(Hex.encode(bytes) == bytes.map { String(format: "%02x", $0) }.joined())
    }
}

@Suite("UUID text without sscanf")
struct UUIDTextTests {
    /// Parsing is stricter than Foundation's (which lets `sscanf` skip spaces and trailing text).
    @Test("writes and parses as Foundation does")
    func sameAsFoundation() {
        for _ in 0..<200 {
            let id = UUID()
            #expect(UUIDText.string(id) == id.uuidString.lowercased())
            #expect(UUIDText.string(id, uppercase: true) == id.uuidString)
            #expect(UUIDText.parse(id.uuidString) == id)
            #expect(UUIDText.parse(id.uuidString.lowercased()) == id)
        }
        let good = UUID().uuidString
        for bad in ["", "x", String(good.dropLast()), good + "0", good.replacingOccurrences(of: "-", with: ""),
                    "g" + good.dropFirst(), String(good.prefix(8)) + "+" + good.dropFirst(9), " " + good.dropFirst()] {
            #expect(UUIDText.parse(bad) == nil, "\(bad)")
        }
    }
}

@Suite("Audit MAC with a keyed HMAC reused")
struct AuditMACTests {
    @Test("every MAC equals a freshly keyed HMAC, however many came before")
    func reusedKey() throws {
        let key = SecureRandom.bytes(32), old = SecureRandom.bytes(32)
        let chain = try #require(AuditChain(keys: [key, old]))
        for n in 0..<5 {
            let text = "entry \(n)"
            let fresh = Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: key)))
            #expect(chain.mac(entryHash: text) == fresh)
            let retired = Hex.encode(HMAC<SHA256>.authenticationCode(for: Array(text.utf8), using: SymmetricKey(data: old)))
            #expect(chain.keyIndex(mac: retired, entryHash: text) == 1)
            #expect(chain.keyIndex(mac: fresh, entryHash: text) == 0)
            // Any other text is no MAC: a changed digit, upper case, a cut or an extra byte.
            let changed = String(fresh.dropLast()) + (fresh.last == "0" ? "1" : "0")
            for bad in [changed, fresh.uppercased() == fresh ? "x" : fresh.uppercased(), String(fresh.dropLast()), fresh + "0", "", String(fresh.dropLast(2))] {
                #expect(chain.keyIndex(mac: bad, entryHash: text) == nil, "\(bad)")
            }
            #expect(chain.keyIndex(mac: fresh, entryHash: text + " ") == nil)
        }
    }
}
