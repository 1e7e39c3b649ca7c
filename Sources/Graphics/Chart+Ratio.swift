extension Chart {
    /// Layout of `Chart.ratio`: a ring whose arc (clockwise from 12 o'clock) is the share, the
    /// percentage in the middle and the caption below, wrapped onto at most two lines.
    struct Ratio {
        let title: String
        let value: Double
        let caption: String

        static let width = 240.0
        static let radius = 76.0
        static let stroke = 20.0

        func render() -> String {
            let kind = "ratio"
            let id = Chart.chartID(title, kind: kind)
            let share = value.isFinite ? min(max(value, 0), 1) : 0
            let percent = Self.percent(share)
            let lines = Self.wrap(caption, maxWidth: Self.width - 16)
            let cx = Self.width / 2
            let cy = Self.radius + Self.stroke / 2 + 4
            let captionTop = cy + Self.radius + Self.stroke / 2 + 22
            let height = captionTop + Double(max(lines.count, 1) - 1) * 16 + 10

            let desc = caption.isEmpty ? "\(title): \(percent)." : "\(title): \(percent), \(caption)."
            var svg = Chart.open(id: id, kind: kind, width: Self.width, height: height, title: title, desc: desc)
            let ring = "cx=\"\(Chart.num(cx))\" cy=\"\(Chart.num(cy))\" r=\"\(Chart.num(Self.radius))\" fill=\"none\""
                + " stroke-width=\"\(Chart.num(Self.stroke))\""
            svg += "<circle class=\"track\" \(ring)/>"
            if share > 0 {
                // pathLength 100 turns the share into a dash length; rotate(-90) starts it at the top.
                svg += "<circle class=\"arc\" \(ring) pathLength=\"100\""
                    + " stroke-dasharray=\"\(Chart.num(share * 100)) 100\""
                    + " transform=\"rotate(-90 \(Chart.num(cx)) \(Chart.num(cy)))\"/>"
            }
            svg += Chart.text(percent, x: cx, y: cy + 10, cssClass: "value ratio-value", anchor: "middle")
            for (i, line) in lines.enumerated() {
                svg += Chart.text(line, x: cx, y: captionTop + Double(i) * 16, cssClass: "label", anchor: "middle")
            }
            return svg + "</svg>"
        }

        /// `62.5%`, `40%`: one decimal at most.
        static func percent(_ share: Double) -> String {
            let p = (share * 1000).rounded() / 10
            return p == p.rounded() ? "\(Int(p))%" : "\(p)%"
        }

        /// Greedy word wrap onto at most two lines; the second one is cut with an ellipsis.
        static func wrap(_ text: String, maxWidth: Double) -> [String] {
            var lines: [String] = []
            var current = ""
            for word in text.split(whereSeparator: { $0 == " " || $0 == "\n" || $0 == "\t" }) {
                let candidate = current.isEmpty ? String(word) : current + " " + word
                if Chart.textWidth(candidate) <= maxWidth || current.isEmpty {
                    current = candidate
                } else {
                    lines.append(current)
                    current = String(word)
                }
            }
            if !current.isEmpty { lines.append(current) }
            if lines.count > 2 { lines = [lines[0], lines[1...].joined(separator: " ")] }
            return lines.map { Chart.truncate($0, maxWidth: maxWidth) }
        }
    }
}
