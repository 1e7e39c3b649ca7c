// Capacity tables of ISO/IEC 18004 (Table 9) and the Reed-Solomon code.

extension QRCode.Correction {
    /// Row in the tables below.
    var tableIndex: Int {
        switch self {
        case .low: 0
        case .medium: 1
        case .quartile: 2
        case .high: 3
        }
    }

    /// The two error-correction bits of the format information.
    var formatBits: Int {
        switch self {
        case .low: 0b01
        case .medium: 0b00
        case .quartile: 0b11
        case .high: 0b10
        }
    }
}

extension QRCode {
    /// Error-correction codewords per block, by level then version (index 0 unused).
    static let eccCodewordsPerBlock: [[Int]] = [
        [0, 7, 10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
         28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
         26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28],
        [0, 13, 22, 18, 26, 18, 24, 18, 22, 20, 24, 28, 26, 24, 20, 30, 24, 28, 28, 26, 30,
         28, 30, 30, 30, 30, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
        [0, 17, 28, 22, 16, 22, 28, 26, 26, 24, 28, 24, 28, 22, 24, 24, 30, 28, 28, 26, 28,
         30, 24, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
    ]

    /// Error-correction blocks, by level then version (index 0 unused).
    static let errorCorrectionBlocks: [[Int]] = [
        [0, 1, 1, 1, 1, 1, 2, 2, 2, 2, 4, 4, 4, 4, 4, 6, 6, 6, 6, 7, 8,
         8, 9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25],
        [0, 1, 1, 1, 2, 2, 4, 4, 4, 5, 5, 5, 8, 9, 9, 10, 10, 11, 13, 14, 16,
         17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49],
        [0, 1, 1, 2, 2, 4, 4, 6, 6, 8, 8, 8, 10, 12, 16, 12, 17, 16, 18, 21, 20,
         23, 23, 25, 27, 29, 34, 34, 35, 38, 40, 43, 45, 48, 51, 53, 56, 59, 62, 65, 68],
        [0, 1, 1, 2, 4, 4, 4, 5, 6, 8, 8, 11, 11, 16, 16, 18, 16, 19, 21, 25, 25,
         25, 34, 30, 32, 35, 37, 40, 42, 45, 48, 51, 54, 57, 60, 63, 66, 70, 74, 77, 81],
    ]

    /// Modules left for codewords once the function patterns and the
    /// format and version information are drawn (includes remainder bits).
    static func rawDataModules(version: Int) -> Int {
        var result = (16 * version + 128) * version + 64
        if version >= 2 {
            let alignments = version / 7 + 2
            result -= (25 * alignments - 10) * alignments - 55
            if version >= 7 { result -= 36 }
        }
        return result
    }

    /// Data codewords (8-bit) a symbol holds at this level.
    static func dataCodewords(version: Int, correction: Correction) -> Int {
        let level = correction.tableIndex
        return rawDataModules(version: version) / 8
            - eccCodewordsPerBlock[level][version] * errorCorrectionBlocks[level][version]
    }

    /// Splits `data` into blocks, appends each block's Reed-Solomon codewords
    /// and interleaves them as the standard's section 7.6 requires.
    static func addErrorCorrection(_ data: [UInt8], version: Int, correction: Correction) -> [UInt8] {
        let level = correction.tableIndex
        let blockCount = errorCorrectionBlocks[level][version]
        let eccLength = eccCodewordsPerBlock[level][version]
        let rawCodewords = rawDataModules(version: version) / 8
        let shortBlocks = blockCount - rawCodewords % blockCount
        let shortLength = rawCodewords / blockCount
        let divisor = QRReedSolomon.generator(degree: eccLength)

        var dataBlocks: [[UInt8]] = []
        var eccBlocks: [[UInt8]] = []
        var offset = 0
        for index in 0..<blockCount {
            let length = shortLength - eccLength + (index < shortBlocks ? 0 : 1)
            let block = Array(data[offset..<offset + length])
            offset += length
            dataBlocks.append(block)
            eccBlocks.append(QRReedSolomon.remainder(block, divisor: divisor))
        }
        precondition(offset == data.count, "data length matches the version's capacity")

        var result: [UInt8] = []
        result.reserveCapacity(rawCodewords)
        for column in 0..<(shortLength - eccLength + 1) {
            for block in dataBlocks where column < block.count {
                result.append(block[column])
            }
        }
        for column in 0..<eccLength {
            for block in eccBlocks {
                result.append(block[column])
            }
        }
        return result
    }
}

/// Reed-Solomon over GF(2^8) with the QR Code polynomial x^8+x^4+x^3+x^2+1.
enum QRReedSolomon {
    /// α^i for i in 0..<510 (doubled so that log sums need no modulo).
    static let exponents: [UInt8] = {
        var result = [UInt8](repeating: 0, count: 510)
        var value = 1
        for index in 0..<255 {
            result[index] = UInt8(value)
            result[index + 255] = UInt8(value)
            value <<= 1
            if value & 0x100 != 0 { value ^= 0x11D }
        }
        return result
    }()

    /// log_α(x) for x in 1...255; index 0 is unused.
    static let logarithms: [Int] = {
        var result = [Int](repeating: 0, count: 256)
        for index in 0..<255 { result[Int(exponents[index])] = index }
        return result
    }()

    static func multiply(_ x: UInt8, _ y: UInt8) -> UInt8 {
        guard x != 0, y != 0 else { return 0 }
        return exponents[logarithms[Int(x)] + logarithms[Int(y)]]
    }

    /// Coefficients of (x - α^0)(x - α^1)…(x - α^(degree-1)), highest power
    /// first, without the leading 1.
    static func generator(degree: Int) -> [UInt8] {
        var result = [UInt8](repeating: 0, count: degree)
        result[degree - 1] = 1
        var root: UInt8 = 1
        for _ in 0..<degree {
            for index in 0..<degree {
                result[index] = multiply(result[index], root)
                if index + 1 < degree { result[index] ^= result[index + 1] }
            }
            root = multiply(root, 0x02)
        }
        return result
    }

    /// The remainder of data·x^degree divided by the generator.
    static func remainder(_ data: [UInt8], divisor: [UInt8]) -> [UInt8] {
        let degree = divisor.count
        var result = [UInt8](repeating: 0, count: degree)
        for byte in data {
            let factor = byte ^ result[0]
            for index in 0..<degree - 1 {
                result[index] = result[index + 1] ^ multiply(divisor[index], factor)
            }
            result[degree - 1] = multiply(divisor[degree - 1], factor)
        }
        return result
    }
}
