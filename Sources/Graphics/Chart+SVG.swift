/// Shared building blocks of the charts: escaping, ids, number formatting, axis ticks and the frame.
extension Chart {
    /// Font size (user units) that layout estimates assume; `app.css` sets the same for `svg.chart text`.
    static let fontSize = 13.0
    /// Inputs above this count as this: it keeps sums finite and coordinates printable.
    static let maximumValue = 1e15

    /// A value fit to draw: finite and non-negative (anything else is 0), at most `maximumValue`.
    static func clean(_ value: Double) -> Double {
        value.isFinite && value > 0 ? min(value, maximumValue) : 0
    }

    /// A coordinate with at most two decimals and no `-0`; never `nan` or `inf`.
    static func num(_ x: Double) -> String {
        guard x.isFinite else { return "0" }
        let r = (x * 100).rounded() / 100
        if r == 0 { return "0" }
        if r == r.rounded(), abs(r) < 1e15 { return String(Int64(r)) }
        return String(r)
    }

    /// A stable element id: `chart-<slug of title>-<hash of kind and title>`.
    static func chartID(_ title: String, kind: String) -> String {
        var slug = ""
        for scalar in title.lowercased().unicodeScalars where slug.count < 40 {
            if ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) {
                slug.unicodeScalars.append(scalar)
            } else if !slug.isEmpty, !slug.hasSuffix("-") {
                slug += "-"
            }
        }
        while slug.hasSuffix("-") { slug.removeLast() }
        // FNV-1a keeps ids of titles that slug alike (or not at all) apart.
        var hash: UInt32 = 2_166_136_261
        for byte in (kind + "\u{1F}" + title).utf8 {
            hash = (hash ^ UInt32(byte)) &* 16_777_619
        }
        let hex = String(hash, radix: 16)
        return "chart-\(slug.isEmpty ? kind : slug)-\(String(repeating: "0", count: 8 - hex.count))\(hex)"
    }

    /// `series-<name>` with only letters, digits, `-` and `_`; `series-<n>` when nothing is left.
    static func seriesClass(_ cssClass: String, index: Int) -> String {
        var name = ""
        for scalar in cssClass.unicodeScalars {
            let ok = ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "_"
            name.unicodeScalars.append(ok ? scalar : "-")
        }
        if name.isEmpty || name.allSatisfy({ $0 == "-" }) { return "series-\(index + 1)" }
        return name.hasPrefix("series-") ? name : "series-\(name)"
    }

    /// Estimated width of `text` at `size`: about 0.62 em per character covers the digits and
    /// lower case of the usual system sans-serif fonts.
    static func textWidth(_ text: String, size: Double = fontSize) -> Double {
        Double(text.count) * size * 0.62
    }

    /// `text` cut to `maxWidth` with an ellipsis.
    static func truncate(_ text: String, maxWidth: Double, size: Double = fontSize) -> String {
        let maxChars = max(Int(maxWidth / (size * 0.62)), 2)
        return text.count <= maxChars ? text : String(text.prefix(maxChars - 1)) + "…"
    }

    /// Gridline values from 0 up to a "nice" maximum ≥ `maxValue` (steps of 1, 2, 2.5 or 5 × 10ⁿ),
    /// about `count` steps. Integral data gets integral steps. `[0]` when `maxValue` is 0.
    static func ticks(maxValue: Double, count: Int, integral: Bool) -> [Double] {
        guard maxValue > 0, maxValue.isFinite else { return [0] }
        let raw = maxValue / Double(max(count, 1))
        var magnitude = 1.0
        var guardrail = 0
        while magnitude * 10 <= raw, guardrail < 400 { magnitude *= 10; guardrail += 1 }
        while magnitude > raw, guardrail < 800 { magnitude /= 10; guardrail += 1 }
        var step = magnitude * 10
        for factor in [1.0, 2.0, 2.5, 5.0, 10.0] where factor * magnitude >= raw {
            if integral, factor == 2.5, magnitude < 10 { continue }
            step = factor * magnitude
            break
        }
        if integral { step = max(step.rounded(.up), 1) }
        let steps = min(Int((maxValue / step).rounded(.up)), 50)
        return (0...max(steps, 1)).map { Double($0) * step }
    }

    /// The opening tag, `<title>` and `<desc>` of a chart.
    static func open(id: String, kind: String, width: Double, height: Double, title: String, desc: String) -> String {
        "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 \(num(width)) \(num(height))\""
            + " role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\" data-chart=\"\(kind)\">"
            + "<title id=\"\(id)-title\">\(SVGText.escape(title))</title><desc id=\"\(id)-desc\">\(SVGText.escape(desc))</desc>"
    }

    /// A chart without data: a baseline and "No data yet".
    static func empty(id: String, kind: String, title: String, width: Double, height: Double) -> String {
        open(id: id, kind: kind, width: width, height: height, title: title, desc: "No data yet.")
            + "<line class=\"axis\" x1=\"16\" y1=\"\(num(height - 24))\" x2=\"\(num(width - 16))\" y2=\"\(num(height - 24))\"/>"
            + "<text class=\"empty\" x=\"\(num(width / 2))\" y=\"\(num(height / 2))\" text-anchor=\"middle\">No data yet</text>"
            + "</svg>"
    }

    /// `<text>` with escaped content.
    static func text(
        _ content: String, x: Double, y: Double, cssClass: String, anchor: String = "start", rotate: Double? = nil
    ) -> String {
        let transform = rotate.map { " transform=\"rotate(\(num($0)) \(num(x)) \(num(y)))\"" } ?? ""
        return "<text class=\"\(cssClass)\" x=\"\(num(x))\" y=\"\(num(y))\" text-anchor=\"\(anchor)\"\(transform)>"
            + "\(SVGText.escape(content))</text>"
    }

    /// `<line>` between two points.
    static func line(_ cssClass: String, _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double) -> String {
        "<line class=\"\(cssClass)\" x1=\"\(num(x1))\" y1=\"\(num(y1))\" x2=\"\(num(x2))\" y2=\"\(num(y2))\"/>"
    }

    /// `<rect>`; zero-sized rectangles are left out.
    static func rect(_ cssClass: String, x: Double, y: Double, width: Double, height: Double, radius: Double = 0) -> String {
        guard width > 0, height > 0 else { return "" }
        let r = radius > 0 ? " rx=\"\(num(min(radius, width / 2, height / 2)))\"" : ""
        return "<rect class=\"\(cssClass)\" x=\"\(num(x))\" y=\"\(num(y))\" width=\"\(num(width))\" height=\"\(num(height))\"\(r)/>"
    }
}
