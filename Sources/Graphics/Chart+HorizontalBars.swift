extension Chart {
    /// Layout of `Chart.horizontalBars`: labels on the left, one bar per row with its value at the
    /// end, vertical gridlines with tick values below.
    struct HorizontalBars {
        let title: String
        let labels: [String]
        let values: [Double]

        static let width = 400.0
        static let rowHeight = 32.0
        static let barHeight = 20.0
        static let plotTop = 8.0

        func render(format: (Double) -> String) -> String {
            let kind = "hbars"
            let id = Chart.chartID(title, kind: kind)
            guard !labels.isEmpty else {
                return Chart.empty(id: id, kind: kind, title: title, width: Self.width, height: 140)
            }
            let cleaned = labels.indices.map { $0 < values.count ? Chart.clean(values[$0]) : 0 }
            let integral = cleaned.allSatisfy { $0 == $0.rounded() }
            let valueTexts = cleaned.map(format)
            let shortLabels = labels.map { Chart.truncate($0, maxWidth: Self.width * 0.3) }

            let x0 = (shortLabels.map { Chart.textWidth($0) }.max() ?? 0) + 16
            let valueColumn = (valueTexts.map { Chart.textWidth($0) }.max() ?? 0) + 14
            let x1 = max(Self.width - valueColumn, x0 + 120)
            let plotWidth = x1 - x0

            // As many gridlines as their values fit side by side.
            var ticks = [0.0]
            var tickLabels = [format(0)]
            for count in [4, 2, 1] {
                ticks = Chart.ticks(maxValue: cleaned.max() ?? 0, count: count, integral: integral)
                tickLabels = ticks.map(format)
                let spacing = plotWidth / Double(max(ticks.count - 1, 1))
                if (tickLabels.map { Chart.textWidth($0) }.max() ?? 0) + 10 <= spacing { break }
            }
            let top = ticks.last ?? 0
            let scale = top > 0 ? plotWidth / top : 0
            let plotBottom = Self.plotTop + Self.rowHeight * Double(labels.count)
            let height = plotBottom + 26

            var svg = Chart.open(
                id: id, kind: kind, width: Self.width, height: height, title: title,
                desc: "\(title). " + labels.indices.map { "\(labels[$0]): \(valueTexts[$0])." }.joined(separator: " "))
            for (tick, tickLabel) in zip(ticks, tickLabels) {
                let x = x0 + tick * scale
                if tick > 0 { svg += Chart.line("grid", x, Self.plotTop, x, plotBottom) }
                svg += Chart.text(tickLabel, x: x, y: plotBottom + 18, cssClass: "label tick", anchor: tick > 0 ? "middle" : "start")
            }
            for (i, value) in cleaned.enumerated() {
                let rowTop = Self.plotTop + Self.rowHeight * Double(i)
                let middle = rowTop + Self.rowHeight / 2
                let barWidth = value * scale
                svg += Chart.text(shortLabels[i], x: x0 - 10, y: middle + 4, cssClass: "label", anchor: "end")
                svg += "<g class=\"bar-group\"><title>\(SVGText.escape("\(labels[i]): \(valueTexts[i])"))</title>"
                svg += Chart.rect(
                    "bar", x: x0, y: middle - Self.barHeight / 2, width: barWidth, height: Self.barHeight, radius: 3)
                svg += "</g>"
                svg += Chart.text(valueTexts[i], x: x0 + barWidth + 6, y: middle + 4, cssClass: "value")
            }
            svg += Chart.line("axis", x0, Self.plotTop, x0, plotBottom)
            return svg + "</svg>"
        }
    }
}
