extension Chart {
    /// Layout of `Chart.stackedBars`: y axis with gridlines on the left, one bar per label, the total
    /// above each bar, labels below (turned 45° when they do not fit), and the legend at the bottom.
    struct StackedBars {
        let title: String
        let labels: [String]
        let series: [Series]

        static let width = 400.0
        static let plotHeight = 180.0
        static let plotTop = 24.0

        private struct Row {
            var name: String
            var cssClass: String
            var values: [Double]
        }

        func render(format: (Double) -> String) -> String {
            let kind = "stacked"
            let id = Chart.chartID(title, kind: kind)
            guard !labels.isEmpty, !series.isEmpty else {
                return Chart.empty(id: id, kind: kind, title: title, width: Self.width, height: 200)
            }
            let count = labels.count
            let rows = series.enumerated().map { index, s in
                Row(
                    name: s.name, cssClass: Chart.seriesClass(s.cssClass, index: index),
                    values: (0..<count).map { $0 < s.values.count ? Chart.clean(s.values[$0]) : 0 })
            }
            let totals = (0..<count).map { j in rows.reduce(0.0) { $0 + $1.values[j] } }
            let integral = rows.allSatisfy { $0.values.allSatisfy { $0 == $0.rounded() } }
            let ticks = Chart.ticks(maxValue: totals.max() ?? 0, count: 4, integral: integral)
            let top = ticks.last ?? 0
            let scale = top > 0 ? Self.plotHeight / top : 0
            let tickLabels = ticks.map(format)

            // Horizontal layout: tick labels decide the left margin, then the bars share the rest.
            var left = max(28, (tickLabels.map { Chart.textWidth($0) }.max() ?? 0) + 14)
            let right = 8.0
            var slot = (Self.width - left - right) / Double(count)
            let shortLabels = labels.map { Chart.truncate($0, maxWidth: 96) }
            let widest = shortLabels.map { Chart.textWidth($0) }.max() ?? 0
            let rotate = widest > slot - 6
            if rotate {
                // A turned label reaches down and to the left of its bar: keep the first one inside.
                left = max(left, widest * 0.71 + 8 - slot / 2)
                slot = (Self.width - left - right) / Double(count)
            }
            // Turned labels need about a line height of room each; with more bars, label every n-th.
            let labelEvery = rotate ? max(1, Int(((Chart.fontSize + 2) / (slot * 0.71)).rounded(.up))) : 1
            let barWidth = min(slot * 0.64, 48)
            // Totals above the bars: all of them when they all fit, else none (the summary has them).
            let totalTexts = totals.map(format)
            let showTotals = (totalTexts.map { Chart.textWidth($0) }.max() ?? 0) <= slot - 2
            let baseY = Self.plotTop + Self.plotHeight
            let labelArea = rotate ? widest * 0.71 + 22 : 26

            // Legend: swatch + name items that wrap into rows.
            var legend = ""
            var legendX = left
            var legendY = baseY + labelArea + 8
            for row in rows {
                let name = Chart.truncate(row.name, maxWidth: 160)
                let itemWidth = 17 + Chart.textWidth(name) + 16
                if legendX + itemWidth > Self.width - right, legendX > left {
                    legendX = left
                    legendY += 22
                }
                legend += Chart.rect("swatch \(row.cssClass)", x: legendX, y: legendY, width: 11, height: 11, radius: 2)
                legend += Chart.text(name, x: legendX + 17, y: legendY + 10.5, cssClass: "label")
                legendX += itemWidth
            }
            let height = legendY + 11 + 8

            var svg = Chart.open(
                id: id, kind: kind, width: Self.width, height: height, title: title,
                desc: description(rows: rows, totals: totals, format: format))
            for (tick, tickLabel) in zip(ticks, tickLabels) {
                let y = baseY - tick * scale
                if tick > 0 { svg += Chart.line("grid", left, y, Self.width - right, y) }
                svg += Chart.text(tickLabel, x: left - 8, y: y + 4, cssClass: "label tick", anchor: "end")
            }
            for j in 0..<count {
                let center = left + slot * (Double(j) + 0.5)
                let x = center - barWidth / 2
                var stacked = 0.0
                var bar = "<g class=\"bar-group\"><title>\(SVGText.escape(tooltip(j, rows: rows, total: totals[j], format: format)))</title>"
                for row in rows {
                    let value = row.values[j]
                    let y = baseY - (stacked + value) * scale
                    bar += Chart.rect("bar \(row.cssClass)", x: x, y: y, width: barWidth, height: value * scale)
                    stacked += value
                }
                svg += bar + "</g>"
                if showTotals {
                    svg += Chart.text(totalTexts[j], x: center, y: baseY - totals[j] * scale - 6, cssClass: "value", anchor: "middle")
                }
                guard j % labelEvery == 0 else { continue }
                svg += rotate
                    ? Chart.text(shortLabels[j], x: center + 4, y: baseY + 14, cssClass: "label", anchor: "end", rotate: -45)
                    : Chart.text(shortLabels[j], x: center, y: baseY + 18, cssClass: "label", anchor: "middle")
            }
            svg += Chart.line("axis", left, baseY, Self.width - right, baseY)
            return svg + "<g class=\"legend\">" + legend + "</g></svg>"
        }

        /// Text summary for screen readers: every value of every bar.
        private func description(rows: [Row], totals: [Double], format: (Double) -> String) -> String {
            var parts = ["\(title). \(labels.count) bar\(labels.count == 1 ? "" : "s"), series: \(rows.map(\.name).joined(separator: ", "))."]
            for j in labels.indices {
                parts.append(tooltip(j, rows: rows, total: totals[j], format: format) + ".")
            }
            return parts.joined(separator: " ")
        }

        private func tooltip(_ j: Int, rows: [Row], total: Double, format: (Double) -> String) -> String {
            let values = rows.map { "\($0.name) \(format($0.values[j]))" }.joined(separator: ", ")
            return "\(labels[j]): \(values); total \(format(total))"
        }
    }
}
