/// A QR Code (ISO/IEC 18004 Model 2) built from text, without dependencies.
///
/// The text is encoded in byte mode as UTF-8, in the smallest version
/// (1...40) that holds it at the requested error-correction level, with
/// the data mask that scores lowest under the standard's penalty rules.
/// Rendering lives in `QRCode+SVG.swift`; the standard's tables and the
/// Reed-Solomon code in `QRCode+Tables.swift`; the module grid in
/// `QRCode+Matrix.swift`.
public struct QRCode: Sendable {
    /// Error-correction level: roughly 7, 15, 25 and 30 % of codewords
    /// may be restored.
    public enum Correction: Sendable, CaseIterable {
        case low, medium, quartile, high
    }

    public enum EncodingError: Error, Sendable {
        /// The text does not fit in a version 40 symbol at this level.
        case tooLong
    }

    /// Symbol version, 1...40.
    public let version: Int
    /// Modules per side, `17 + 4 * version` (without a quiet zone).
    public let size: Int
    /// The error-correction level the symbol was built with.
    public let correction: Correction
    /// Data mask pattern 0...7 that was applied.
    let mask: Int
    /// Row-major, `true` is dark.
    let modules: [Bool]

    /// Encodes `text` as UTF-8 in byte mode.
    public init(_ text: String, correction: Correction = .medium) throws(EncodingError) {
        try self.init(bytes: Array(text.utf8), correction: correction)
    }

    /// Encodes `bytes` in byte mode. `minVersion` forces a minimum version and
    /// `mask` a mask pattern; both exist for comparison with other encoders.
    init(bytes: [UInt8], correction: Correction, minVersion: Int = 1, mask forcedMask: Int? = nil) throws(EncodingError) {
        precondition((1...40).contains(minVersion), "version is 1...40")
        precondition(forcedMask.map { (0...7).contains($0) } ?? true, "mask is 0...7")
        guard let version = (minVersion...40).first(where: {
            QRCode.dataBits(bytes.count, version: $0) <= QRCode.dataCodewords(version: $0, correction: correction) * 8
        }) else { throw .tooLong }

        let data = QRCode.dataCodewords(bytes, version: version, correction: correction)
        let codewords = QRCode.addErrorCorrection(data, version: version, correction: correction)

        var grid = QRMatrix(version: version)
        grid.drawFunctionPatterns()
        grid.drawCodewords(codewords)

        let chosen: Int
        if let forcedMask {
            chosen = forcedMask
        } else {
            // The first of the lowest scores, as the reference encoders do.
            let penalties = QRCode.maskPenalties(grid, correction: correction)
            chosen = penalties.firstIndex(of: penalties.min() ?? 0) ?? 0
        }
        grid.applyMask(chosen)
        grid.drawFormatBits(correction: correction, mask: chosen)

        self.version = version
        self.size = grid.size
        self.correction = correction
        self.mask = chosen
        self.modules = grid.modules
    }

    /// Whether the module at column `x`, row `y` is dark. Outside the symbol
    /// (the quiet zone) everything is light.
    public func isDark(x: Int, y: Int) -> Bool {
        guard (0..<size).contains(x), (0..<size).contains(y) else { return false }
        return modules[y * size + x]
    }

    /// The penalty of each of the eight masks applied to an unmasked grid,
    /// with the format information for that mask drawn.
    static func maskPenalties(_ grid: QRMatrix, correction: Correction) -> [Int] {
        (0..<8).map { mask in
            var trial = grid
            trial.applyMask(mask)
            trial.drawFormatBits(correction: correction, mask: mask)
            return trial.penalty()
        }
    }

    // MARK: - Data segment

    /// Bits taken by one byte-mode segment of `count` bytes.
    static func dataBits(_ count: Int, version: Int) -> Int {
        let countBits = version <= 9 ? 8 : 16
        guard count < 1 << countBits else { return Int.max }
        return 4 + countBits + 8 * count
    }

    /// Mode indicator, character count, data, terminator and padding.
    static func dataCodewords(_ bytes: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let capacity = dataCodewords(version: version, correction: correction) * 8
        var bits = QRBitBuffer()
        bits.append(0b0100, count: 4)
        bits.append(bytes.count, count: version <= 9 ? 8 : 16)
        for byte in bytes { bits.append(Int(byte), count: 8) }
        bits.append(0, count: min(4, capacity - bits.count))
        bits.append(0, count: (8 - bits.count % 8) % 8)
        var result = bits.bytes
        var pad: UInt8 = 0xEC
        while result.count * 8 < capacity {
            result.append(pad)
            pad ^= 0xEC ^ 0x11
        }
        return result
    }
}

/// Bits appended most significant first.
struct QRBitBuffer {
    private(set) var bits: [Bool] = []

    var count: Int { bits.count }

    mutating func append(_ value: Int, count: Int) {
        for shift in stride(from: count - 1, through: 0, by: -1) {
            bits.append((value >> shift) & 1 == 1)
        }
    }

    /// Packs whole bytes; `count` must be a multiple of 8.
    var bytes: [UInt8] {
        stride(from: 0, to: bits.count, by: 8).map { start in
            bits[start..<start + 8].reduce(0) { $0 << 1 | ($1 ? 1 : 0) }
        }
    }
}
