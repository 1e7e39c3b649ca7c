import Domain
import Foundation
import Testing

@Suite("Random ids")
struct UUIDRandomTests {
    @Test("version 4, RFC 4122 variant, and no repeats in 20,000")
    func version4() {
        var seen = Set<UUID>()
        for _ in 0..<20_000 {
            let id = UUID.random()
            let text = id.uuidString
            #expect(text[text.index(text.startIndex, offsetBy: 14)] == "4")
            #expect("89AB".contains(text[text.index(text.startIndex, offsetBy: 19)]))
            seen.insert(id)
        }
        #expect(seen.count == 20_000)
    }

    @Test("every bit other than the version and variant varies")
    func bitsVary() {
        var ones = [Int](repeating: 0, count: 128)
        let samples = 4_000
        for _ in 0..<samples {
            withUnsafeBytes(of: UUID.random().uuid) { raw in
                for bit in 0..<128 where raw[bit / 8] & (0x80 >> UInt8(bit % 8)) != 0 { ones[bit] += 1 }
            }
        }
        let fixed: Set<Int> = [48, 49, 50, 51, 64, 65]
        for bit in 0..<128 where !fixed.contains(bit) {
            #expect((1_600...2_400).contains(ones[bit]), "bit \(bit): \(ones[bit]) of \(samples)")
        }
        #expect(ones[48] == 0 && ones[49] == samples && ones[50] == 0 && ones[51] == 0 && ones[64] == samples && ones[65] == 0)
    }
}
