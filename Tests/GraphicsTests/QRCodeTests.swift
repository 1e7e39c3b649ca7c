@testable import Graphics
import Testing

/// The typical enrolment URI the two-factor page encodes.
private let otpauth = "otpauth://totp/SolarDispatch:alice%40example.com?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
    + "&issuer=SolarDispatch&algorithm=SHA1&digits=6&period=30"

/// Rows of a symbol as "0"/"1" strings, for comparison with reference output.
private func rows(_ qr: QRCode) -> [String] {
    (0..<qr.size).map { y in String((0..<qr.size).map { qr.isDark(x: $0, y: y) ? "1" : "0" }) }
}

/// "HELLO WORLD", byte mode, level Q: version 1, mask 7, as produced by Nayuki's
/// reference qrcodegen (python, boostecl off), which also picks mask 7.
private let helloWorldQ = """
    111111101001001111111
    100000100100001000001
    101110101001001011101
    101110101011001011101
    101110100110101011101
    100000101101001000001
    111111101010101111111
    000000001011100000000
    010101111001111101101
    001111000100001100010
    010010110101100101101
    101110010111101011011
    010110101011011110100
    000000001100100010100
    111111101101001111110
    100000101111100100001
    101110100100111000110
    101110101010000111111
    101110100010101010101
    100000101011010000000
    111111100010100101110
    """.split(separator: "\n").map(String.init)

/// FNV-1a over the modules (one byte 0 or 1 each, row by row).
private func moduleHash(_ qr: QRCode) -> UInt32 {
    var hash: UInt32 = 0x811C_9DC5
    for y in 0..<qr.size {
        for x in 0..<qr.size {
            hash = (hash ^ (qr.isDark(x: x, y: y) ? 1 : 0)) &* 0x0100_0193
        }
    }
    return hash
}

/// `moduleHash` of Nayuki's reference qrcodegen (python) for each version
/// (row) and level L, M, Q, H (column): byte mode, filled to capacity with
/// bytes `(i * 7 + version) & 0xFF`, mask `(version + level) % 8`.
private let referenceHashes: [[UInt32]] = [
        [0x512AA293, 0xD68F49A9, 0xE3435529, 0x68D54E27],  // 1
        [0xCFAA72AF, 0xA4C09FED, 0xB4FD15AF, 0x52F7C19A],  // 2
        [0x9001F2B5, 0xD37ABEF0, 0xF27D9C6E, 0xB97186A1],  // 3
        [0x8AEE6175, 0x2B7301B7, 0xDDDAAF60, 0x59505D16],  // 4
        [0x52BB484E, 0x3FDA0941, 0x1A094A23, 0xFC06E78B],  // 5
        [0xCEEC0D9D, 0x49858A99, 0xB6900201, 0x7E551249],  // 6
        [0x76EDED93, 0x2E47181F, 0x7226C8CA, 0x58358F03],  // 7
        [0xF1AF9B79, 0xCC054B20, 0x1373DD75, 0x381C7A4D],  // 8
        [0xE8A26BBC, 0xC00BBBFF, 0x54D7EAA0, 0x477490B9],  // 9
        [0x121C29D3, 0xE44A88CD, 0xE791198D, 0x0D235F39],  // 10
        [0x5F34F301, 0xC61728D5, 0x0AC5E45C, 0xCA50F2CB],  // 11
        [0xDB5F77D7, 0x1B4A2E04, 0x855D714A, 0x44870668],  // 12
        [0xD10ADCBB, 0xBD843FBF, 0x144E93BD, 0x6683F9E7],  // 13
        [0xC36370D5, 0x85A1CC53, 0xC3DB412D, 0x5AE5A93A],  // 14
        [0x0C0384B2, 0xE06494A3, 0x9E7C8998, 0xDF40B627],  // 15
        [0x55B44ABB, 0xD16DFA2A, 0x8EAC77F4, 0x70CE74F8],  // 16
        [0x3DB70266, 0x72C6D5A3, 0x8F017837, 0x77DE25D2],  // 17
        [0x94B92EBD, 0xFE51762A, 0x8001C870, 0xE880FDB4],  // 18
        [0x8DF4A183, 0x74830C57, 0x5CE4F8D5, 0x77A402C3],  // 19
        [0x2D2DC2F9, 0x6A8A4808, 0x69285F95, 0x0463CBBB],  // 20
        [0x31ABB3CE, 0xEB04A181, 0x4FB2BDB3, 0x74A7ECF3],  // 21
        [0x28A8735F, 0x24B1D6C5, 0x79B471B5, 0xF3AB0DFA],  // 22
        [0xBDAB7205, 0x95FDC9C3, 0x92138CBA, 0xE94F6017],  // 23
        [0xFCFF14C5, 0xB960C36E, 0xCBDF07ED, 0x8B86CE9F],  // 24
        [0x3A14E6C2, 0x78C527AF, 0x23714C76, 0x85C5FF83],  // 25
        [0xE640B2C9, 0x90D1B7CD, 0x910E57D7, 0x4ED4734E],  // 26
        [0x23590C0D, 0xB5EC5A27, 0x53B49138, 0xF55C2BA1],  // 27
        [0x2C02B672, 0x0605D639, 0x130BFFB6, 0xCB7644A4],  // 28
        [0x7B3C6486, 0x0C3D346D, 0x5BC6328F, 0x1DB8BC11],  // 29
        [0xC0445CBE, 0x9C51DF9E, 0xD8C2B927, 0xA178D318],  // 30
        [0x3408F28E, 0x0657F03F, 0x6986AF90, 0x61706F4C],  // 31
        [0x8CA3FF31, 0xCD828F0C, 0x924C4F9E, 0xD65D1F7E],  // 32
        [0x20628F62, 0xA94A55FE, 0xFD16E3DF, 0xB71AA938],  // 33
        [0x80CE98B3, 0xBD66F6EF, 0xE2953E9C, 0x91FD0203],  // 34
        [0xEC0267FF, 0x60CD1033, 0x104693FA, 0x6AE378AF],  // 35
        [0x3C687A2B, 0xE9C1E07E, 0x9F095FFA, 0xA4ADEAE2],  // 36
        [0x7DC04389, 0x311FEB0F, 0x4047A557, 0x83C7BD91],  // 37
        [0xA91802CF, 0xD80DF29D, 0xC17528EB, 0xA068B500],  // 38
        [0xAE6006D8, 0x1F012E29, 0xC49E9280, 0x78CB1977],  // 39
        [0x17C603B1, 0xC4CAD7F4, 0x6F6FE551, 0xB5487E9F],  // 40
]

@Suite("QR code encoder")
struct QRCodeTests {
    @Test("size is 17 + 4 × version and the smallest version that fits is chosen")
    func sizeAndVersion() throws {
        let cases: [(String, QRCode.Correction, Int)] = [
            ("", .medium, 1),
            ("HELLO WORLD", .quartile, 1),
            (String(repeating: "a", count: 14), .medium, 1),  // version 1-M holds 14 bytes
            (String(repeating: "a", count: 15), .medium, 2),
            (otpauth, .medium, 8),
            (otpauth, .high, 12),
            (String(repeating: "x", count: 2953), .low, 40),  // the largest byte-mode symbol
        ]
        for (text, correction, version) in cases {
            let qr = try QRCode(text, correction: correction)
            #expect(qr.version == version, "\(text.prefix(20)) \(correction)")
            #expect(qr.size == 17 + 4 * qr.version)
        }
    }

    @Test("matches a reference encoder module for module")
    func knownMatrix() throws {
        let qr = try QRCode("HELLO WORLD", correction: .quartile)
        #expect(qr.version == 1)
        #expect(qr.mask == 7)
        #expect(rows(qr) == helloWorldQ)
    }

    @Test("every version and level matches the reference encoder", arguments: 1...40)
    func everyVersion(version: Int) throws {
        for (level, correction) in QRCode.Correction.allCases.enumerated() {
            // Filled to capacity, so that every block and the remainder bits are exercised.
            let count = (QRCode.dataCodewords(version: version, correction: correction) * 8 - 4 - (version <= 9 ? 8 : 16)) / 8
            let bytes = (0..<count).map { UInt8(truncatingIfNeeded: $0 * 7 + version) }
            let qr = try QRCode(bytes: bytes, correction: correction, minVersion: version, mask: (version + level) % 8)
            #expect(qr.version == version)
            #expect(moduleHash(qr) == referenceHashes[version - 1][level], "version \(version) \(correction)")
        }
        #expect(throws: QRCode.EncodingError.tooLong) {
            try QRCode(bytes: [UInt8](repeating: 0, count: 2954), correction: .low, minVersion: version)
        }
    }

    @Test("mask penalties equal the reference encoder's, and the lowest wins")
    func maskPenalties() throws {
        let cases: [(String, QRCode.Correction, [Int], Int)] = [
            ("HELLO WORLD", .quartile, [1055, 1124, 1083, 1091, 1073, 1159, 1245, 1027], 7),
            (otpauth, .medium, [2666, 2725, 2291, 2523, 2425, 2606, 2560, 2604], 2),
            (otpauth, .high, [3726, 3549, 3359, 3412, 3872, 3628, 3841, 3468], 2),
        ]
        for (text, correction, penalties, mask) in cases {
            let qr = try QRCode(text, correction: correction)
            var grid = QRMatrix(version: qr.version)
            grid.drawFunctionPatterns()
            let data = QRCode.dataCodewords(Array(text.utf8), version: qr.version, correction: correction)
            grid.drawCodewords(QRCode.addErrorCorrection(data, version: qr.version, correction: correction))
            #expect(QRCode.maskPenalties(grid, correction: correction) == penalties)
            #expect(qr.mask == mask)
        }
    }

    @Test("finder patterns with light separators sit in three corners, not the fourth")
    func finderPatterns() throws {
        for text in ["HELLO WORLD", otpauth] {
            let qr = try QRCode(text)
            for (left, top) in [(0, 0), (qr.size - 7, 0), (0, qr.size - 7)] {
                for dy in -1...7 {
                    for dx in -1...7 {
                        let ring = max(abs(dx - 3), abs(dy - 3))
                        let expected = ring == 0 || ring == 1 || ring == 3  // 3×3 core, light ring, dark ring, light separator
                        #expect(qr.isDark(x: left + dx, y: top + dy) == expected, "(\(left + dx), \(top + dy))")
                    }
                }
            }
            // The bottom-right corner carries data, not a finder: it is not all dark.
            let corner = (qr.size - 7..<qr.size).flatMap { y in (qr.size - 7..<qr.size).map { qr.isDark(x: $0, y: y) } }
            #expect(corner.contains(false))
        }
    }

    @Test("timing patterns alternate between the finders")
    func timingPatterns() throws {
        let qr = try QRCode(otpauth)
        for index in 8..<(qr.size - 8) {
            #expect(qr.isDark(x: index, y: 6) == index.isMultiple(of: 2))
            #expect(qr.isDark(x: 6, y: index) == index.isMultiple(of: 2))
        }
        // The dark module beside the bottom-left finder.
        #expect(qr.isDark(x: 8, y: qr.size - 8))
    }

    @Test("format information equals the standard's table (ISO/IEC 18004 Annex C)")
    func formatInformation() throws {
        #expect(QRCode.formatBits(correction: .medium, mask: 0) == 0b101010000010010)
        #expect(QRCode.formatBits(correction: .low, mask: 0) == 0b111011111000100)
        #expect(QRCode.formatBits(correction: .low, mask: 5) == 0b110001100011000)
        #expect(QRCode.formatBits(correction: .quartile, mask: 7) == 0b010101111101101)
        #expect(QRCode.formatBits(correction: .high, mask: 3) == 0b001100111010000)

        // Read both copies back from a symbol (bit 14 is the most significant).
        let qr = try QRCode("HELLO WORLD", correction: .quartile)
        var first = 0
        var second = 0
        let firstCopy = [(8, 0), (8, 1), (8, 2), (8, 3), (8, 4), (8, 5), (8, 7), (8, 8),
                         (7, 8), (5, 8), (4, 8), (3, 8), (2, 8), (1, 8), (0, 8)]
        for (bit, (x, y)) in firstCopy.enumerated() where qr.isDark(x: x, y: y) { first |= 1 << bit }
        for bit in 0..<8 where qr.isDark(x: qr.size - 1 - bit, y: 8) { second |= 1 << bit }
        for bit in 8..<15 where qr.isDark(x: 8, y: qr.size - 15 + bit) { second |= 1 << bit }
        #expect(first == 0b010101111101101)  // level Q, mask 7
        #expect(second == first)
    }

    @Test("version information equals the standard's table (Annex D)")
    func versionInformation() throws {
        #expect(QRCode.versionBits(version: 7) == 0x07C94)
        #expect(QRCode.versionBits(version: 8) == 0x085BC)
        #expect(QRCode.versionBits(version: 40) == 0x28C69)

        let qr = try QRCode(otpauth)  // version 8
        var bits = 0
        for index in 0..<18 where qr.isDark(x: qr.size - 11 + index % 3, y: index / 3) { bits |= 1 << index }
        #expect(bits == 0x085BC)
    }

    @Test("Reed-Solomon codewords match the worked example for 1-M")
    func reedSolomon() {
        // "HELLO WORLD" in alphanumeric mode, version 1-M: data and error-correction codewords.
        let data: [UInt8] = [32, 91, 11, 120, 209, 114, 220, 77, 67, 64, 236, 17, 236, 17, 236, 17]
        let ecc = QRReedSolomon.remainder(data, divisor: QRReedSolomon.generator(degree: 10))
        #expect(ecc == [196, 35, 39, 119, 235, 215, 231, 226, 93, 23])
    }

    @Test("capacity tables add up for every version and level")
    func capacities() {
        // Total codewords per version (Table 1), spot checks.
        #expect(QRCode.rawDataModules(version: 1) / 8 == 26)
        #expect(QRCode.rawDataModules(version: 7) / 8 == 196)
        #expect(QRCode.rawDataModules(version: 40) / 8 == 3706)
        #expect(QRCode.dataCodewords(version: 1, correction: .high) == 9)
        #expect(QRCode.dataCodewords(version: 40, correction: .low) == 2956)
        #expect(QRCode.alignmentPositions(version: 32) == [6, 34, 60, 86, 112, 138])
        #expect(QRCode.alignmentPositions(version: 7) == [6, 22, 38])
    }

    @Test("text that does not fit version 40 is refused")
    func tooLong() throws {
        #expect(throws: QRCode.EncodingError.tooLong) {
            try QRCode(String(repeating: "a", count: 3000), correction: .high)
        }
        #expect(throws: QRCode.EncodingError.tooLong) {
            try QRCode(String(repeating: "a", count: 2954), correction: .low)
        }
        // 1273 bytes is the most that 40-H holds.
        #expect(try QRCode(String(repeating: "a", count: 1273), correction: .high).version == 40)
    }

    @Test("non-ASCII text is encoded as UTF-8 bytes")
    func utf8() throws {
        let text = "Energía solar ☀️ 太陽光"
        let qr = try QRCode(text, correction: .low)
        let sameLength = try QRCode(String(repeating: "a", count: text.utf8.count), correction: .low)
        #expect(text.utf8.count == 31)
        #expect(qr.version == sameLength.version)
        #expect(qr.version == 2)  // 31 bytes: more than 1-L's 17
    }

    @Test("the quiet zone is light")
    func quietZone() throws {
        let qr = try QRCode("HELLO WORLD")
        #expect(!qr.isDark(x: -1, y: 0))
        #expect(!qr.isDark(x: 0, y: qr.size))
    }

    @Test("SVG: one path of every dark module, no inline style, escaped title")
    func svg() throws {
        let qr = try QRCode("HELLO WORLD", correction: .quartile)
        let svg = qr.svg(title: #"Scan <me> & "you'll" see"#)
        #expect(svg.hasPrefix(#"<svg xmlns="http://www.w3.org/2000/svg" class="qr" viewBox="0 0 29 29" role="img" aria-labelledby=""#))
        #expect(svg.hasSuffix("</svg>"))
        #expect(!svg.contains("style"))
        #expect(svg.contains("<title id=\"qr-\(qr.fingerprint)\">Scan &lt;me&gt; &amp; &quot;you&#39;ll&quot; see</title>"))
        #expect(svg.contains(#"aria-labelledby="qr-\#(qr.fingerprint)""#))
        #expect(svg.contains(##"<rect width="29" height="29" fill="#fff"/>"##))
        #expect(svg.split(separator: "<path ", omittingEmptySubsequences: false).count == 2)
        #expect(svg.contains(##"fill="#000" shape-rendering="crispEdges"/>"##))
        let svgTag = svg.prefix { $0 != ">" }
        #expect(!svgTag.contains("width") && !svgTag.contains("height"))

        // Every run is "M{x},{y}h{n}v1h-{n}z"; the runs cover exactly the dark modules, offset by the quiet zone.
        let d = try #require(svg.split(separator: "d=\"").last?.split(separator: "\"").first)
        var covered = Set<[Int]>()
        for run in d.split(separator: "M") {
            let parts = run.split(whereSeparator: { ",hvz".contains($0) }).compactMap { Int($0) }
            try #require(parts.count == 5)
            for x in parts[0]..<(parts[0] + parts[2]) { covered.insert([x - 4, parts[1] - 4]) }
        }
        let dark = (0..<qr.size).flatMap { y in (0..<qr.size).filter { qr.isDark(x: $0, y: y) }.map { [$0, y] } }
        #expect(covered == Set(dark))

        #expect(qr.svg(title: "x", quietZone: 0).contains(#"viewBox="0 0 21 21""#))
    }

    @Test("different symbols get different title ids")
    func distinctIDs() throws {
        #expect(try QRCode("a").fingerprint != (try QRCode("b").fingerprint))
    }
}
