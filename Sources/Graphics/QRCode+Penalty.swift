// Mask evaluation, ISO/IEC 18004 section 7.8.3: the mask whose symbol (with
// its format information drawn) scores the lowest penalty is chosen.

extension QRMatrix {
    static let penaltyRun = 3       // N1
    static let penaltyBlock = 3     // N2
    static let penaltyFinder = 40   // N3
    static let penaltyBalance = 10  // N4

    func penalty() -> Int {
        var result = 0
        for y in 0..<size { result += linePenalty(start: y * size, step: 1) }
        for x in 0..<size { result += linePenalty(start: x, step: size) }

        // 2×2 blocks of one colour.
        for y in 0..<size - 1 {
            for x in 0..<size - 1 {
                let index = y * size + x
                let color = modules[index]
                if color == modules[index + 1], color == modules[index + size], color == modules[index + size + 1] {
                    result += Self.penaltyBlock
                }
            }
        }

        // Dark proportion: 10 points for each full 5 % step away from 50 %.
        let dark = modules.reduce(0) { $0 + ($1 ? 1 : 0) }
        let total = size * size
        let steps = (abs(dark * 20 - total * 10) + total - 1) / total - 1
        result += steps * Self.penaltyBalance
        return result
    }

    /// Runs of five or more modules of one colour, and finder-like
    /// 1:1:3:1:1 patterns with four light modules on one side. The area
    /// outside the symbol counts as light.
    /// The line is `modules[start + k * step]` for k in 0..<size.
    private func linePenalty(start: Int, step: Int) -> Int {
        var result = 0
        var runColor = false
        var runLength = 0
        var history = QRRunHistory(size: size)
        for index in stride(from: start, to: start + size * step, by: step) {
            let color = modules[index]
            if color == runColor {
                runLength += 1
                if runLength == 5 {
                    result += Self.penaltyRun
                } else if runLength > 5 {
                    result += 1
                }
            } else {
                history.add(runLength)
                if !runColor { result += history.finderPatterns() * Self.penaltyFinder }
                runColor = color
                runLength = 1
            }
        }
        // Close the line with a light run that includes the border.
        if runColor {
            history.add(runLength)
            runLength = 0
        }
        history.add(runLength + size)
        result += history.finderPatterns() * Self.penaltyFinder
        return result
    }
}

/// The last seven run lengths of a line, newest first.
private struct QRRunHistory {
    let size: Int
    var runs = [Int](repeating: 0, count: 7)

    init(size: Int) { self.size = size }

    mutating func add(_ length: Int) {
        // The first run is light; extend it over the border.
        let length = runs[0] == 0 ? length + size : length
        runs.removeLast()
        runs.insert(length, at: 0)
    }

    /// Called just after a light run ends: counts dark-light-dark³-light-dark
    /// cores with at least four light modules before or after.
    func finderPatterns() -> Int {
        let unit = runs[1]
        guard unit > 0, runs[2] == unit, runs[3] == unit * 3, runs[4] == unit, runs[5] == unit else { return 0 }
        return (runs[0] >= unit * 4 && runs[6] >= unit ? 1 : 0)
            + (runs[6] >= unit * 4 && runs[0] >= unit ? 1 : 0)
    }
}
