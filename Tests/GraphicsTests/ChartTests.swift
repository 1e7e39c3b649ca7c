@testable import Graphics
import Testing

@Suite("Server-rendered SVG charts")
struct ChartTests {
    static let count: @Sendable (Double) -> String = { String(Int($0)) }

    static func weekly(_ values: [[Double]]) -> String {
        Chart.stackedBars(
            title: "Orders per week",
            labels: (1...values[0].count).map { "2026-W0\($0)" },
            series: values.enumerated().map { i, v in
                Chart.Series(name: ["Quoted", "Accepted", "Completed"][i], cssClass: ["quoted", "accepted", "completed"][i], values: v)
            },
            valueFormat: count)
    }

    static func allCharts(labels: [String], values: [Double]) -> [String] {
        [
            Chart.stackedBars(
                title: "T", labels: labels, series: [Chart.Series(name: "S", cssClass: "quoted", values: values)],
                valueFormat: count),
            Chart.stackedBars(title: "T", labels: labels, series: [], valueFormat: count),
            Chart.horizontalBars(title: "T", labels: labels, values: values, valueFormat: count),
            Chart.ratio(title: "T", value: values.first ?? .nan, caption: "c"),
        ]
    }

    /// Numeric attribute values of `name` on elements whose class contains `cssClass`, in order.
    static func attribute(_ name: String, of cssClass: String, in svg: String) -> [Double] {
        svg.split(separator: "<").filter { $0.contains("class=\"\(cssClass)") }.compactMap { element in
            guard let range = element.firstRange(of: " \(name)=\"") else { return nil }
            return Double(element[range.upperBound...].prefix { $0 != "\"" })
        }
    }

    @Test func rootElementIsAccessibleSVG() {
        let svg = Self.weekly([[1, 2], [3, 4]])
        #expect(svg.hasPrefix("<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" viewBox=\"0 0 "))
        #expect(svg.hasSuffix("</svg>"))
        let id = Chart.chartID("Orders per week", kind: "stacked")
        #expect(id.hasPrefix("chart-orders-per-week-"))
        #expect(svg.contains("role=\"img\" aria-labelledby=\"\(id)-title \(id)-desc\""))
        #expect(svg.contains("<title id=\"\(id)-title\">Orders per week</title>"))
        #expect(svg.contains("<desc id=\"\(id)-desc\">Orders per week. 2 bars, series: Quoted, Accepted."))
        #expect(svg.contains("2026-W01: Quoted 1, Accepted 3; total 4."))
    }

    @Test func escapesEveryTextFromData() {
        let evil = "<script>alert(\"x\")</script> & 'y'"
        let outputs = [
            Chart.stackedBars(
                title: evil, labels: [evil], series: [Chart.Series(name: evil, cssClass: "\"><script>", values: [1])],
                valueFormat: { _ in evil }),
            Chart.horizontalBars(title: evil, labels: [evil], values: [2], valueFormat: { _ in evil }),
            Chart.ratio(title: evil, value: 0.5, caption: evil),
        ]
        for svg in outputs {
            #expect(!svg.contains("<script"))
            #expect(!svg.contains("\"x\""))
            #expect(!svg.contains("'y'"))
            #expect(svg.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;y&#39;"))
        }
        #expect(outputs[0].contains("class=\"bar series----script-\""))
        #expect(SVGText.escape("a\u{0}b\u{7}c\nd") == "abc d")
    }

    @Test func noNaNOrInfinityForEmptyZeroOrInvalidData() {
        let cases: [(labels: [String], values: [Double])] = [
            ([], []), (["a"], []), (["a", "b"], [0, 0]), (["a"], [-5]), (["a", "b"], [.nan, .infinity]),
            (["a"], [-.infinity]), (["a"], [.greatestFiniteMagnitude]), (["a", "b"], [1e-9, 0]),
        ]
        for (labels, values) in cases {
            for svg in Self.allCharts(labels: labels, values: values) {
                #expect(!svg.lowercased().contains("nan"), "\(svg)")
                #expect(!svg.lowercased().contains("inf"), "\(svg)")
                #expect(!svg.contains("=\"-"), "negative coordinate or size in \(svg)")
                #expect(svg.hasSuffix("</svg>"))
            }
        }
        #expect(Chart.ratio(title: "T", value: .nan, caption: "").contains(">0%</text>"))
        #expect(Chart.ratio(title: "T", value: 7, caption: "").contains(">100%</text>"))
        #expect(Chart.ratio(title: "T", value: -1, caption: "").contains(">0%</text>"))
    }

    @Test func emptyDataSaysSo() {
        let svgs = [
            Chart.stackedBars(title: "Weekly", labels: [], series: [], valueFormat: Self.count),
            Chart.stackedBars(title: "Weekly", labels: ["W1"], series: [], valueFormat: Self.count),
            Chart.horizontalBars(title: "Regions", labels: [], values: [], valueFormat: Self.count),
        ]
        for svg in svgs {
            #expect(svg.contains(">No data yet</text>"))
            #expect(svg.contains("<desc id=\"") && svg.contains(">No data yet.</desc>"))
            #expect(!svg.contains("class=\"bar"))
        }
    }

    @Test func stackedBarHeightsAreProportional() {
        let svg = Self.weekly([[10, 20, 0, 5], [30, 0, 0, 5]])
        let quoted = Self.attribute("height", of: "bar series-quoted", in: svg)
        let accepted = Self.attribute("height", of: "bar series-accepted", in: svg)
        #expect(quoted.count == 3)  // the zero segment is left out
        #expect(accepted.count == 2)
        let unit = quoted[0] / 10
        #expect(unit > 0)
        #expect(abs(quoted[1] - 20 * unit) < 0.02)
        #expect(abs(quoted[2] - 5 * unit) < 0.02)
        #expect(abs(accepted[0] - 30 * unit) < 0.02)
        #expect(abs(accepted[1] - 5 * unit) < 0.02)
        // Segments stack: accepted sits right on top of quoted in the first bar.
        let quotedY = Self.attribute("y", of: "bar series-quoted", in: svg)
        let acceptedY = Self.attribute("y", of: "bar series-accepted", in: svg)
        #expect(abs(acceptedY[0] + accepted[0] - quotedY[0]) < 0.02)
    }

    @Test func horizontalBarWidthsAreProportional() {
        let svg = Chart.horizontalBars(
            title: "Revenue by region", labels: ["North", "South", "East", "West"], values: [400, 100, 0, 250],
            valueFormat: { "€\(Int($0))" })
        let widths = Self.attribute("width", of: "bar", in: svg)
        #expect(widths.count == 3)
        #expect(abs(widths[0] / widths[1] - 4) < 0.01)
        #expect(abs(widths[2] / widths[1] - 2.5) < 0.01)
        #expect(svg.contains(">€400</text>") && svg.contains(">€0</text>"))
        #expect(svg.contains("Revenue by region. North: €400. South: €100. East: €0. West: €250."))
    }

    @Test func noInlineStyles() {
        let svgs = Self.allCharts(labels: ["a", "b"], values: [1, 2]) + [Self.weekly([[1, 2], [3, 4], [5, 6]])]
        for svg in svgs {
            #expect(!svg.contains("style="))
            #expect(!svg.contains("<style"))
            #expect(!svg.contains("fill=\"#"))
            #expect(!svg.contains("<script"))
        }
    }

    @Test func legendHasOneEntryPerSeries() {
        let svg = Self.weekly([[1, 2], [3, 4], [5, 6]])
        #expect(svg.ranges(of: "class=\"swatch ").count == 3)
        for (name, cssClass) in [("Quoted", "series-quoted"), ("Accepted", "series-accepted"), ("Completed", "series-completed")] {
            #expect(svg.contains("class=\"swatch \(cssClass)\""))
            #expect(svg.contains(">\(name)</text>"))
        }
    }

    @Test func seriesClassesAreSanitizedAndPrefixed() {
        #expect(Chart.seriesClass("quoted", index: 0) == "series-quoted")
        #expect(Chart.seriesClass("series-in_progress", index: 0) == "series-in_progress")
        #expect(Chart.seriesClass("", index: 2) == "series-3")
        #expect(Chart.seriesClass("a b\"c", index: 0) == "series-a-b-c")
    }

    @Test func outputIsDeterministicAndIdsAreDistinct() {
        #expect(Self.weekly([[1, 2]]) == Self.weekly([[1, 2]]))
        #expect(Chart.chartID("Orders", kind: "stacked") == Chart.chartID("Orders", kind: "stacked"))
        #expect(Chart.chartID("Orders!", kind: "stacked") != Chart.chartID("Orders?", kind: "stacked"))
        #expect(Chart.chartID("Orders", kind: "stacked") != Chart.chartID("Orders", kind: "hbars"))
        #expect(Chart.chartID("€€€", kind: "ratio").hasPrefix("chart-ratio-"))
    }

    @Test func ratioDrawsTheShare() {
        let svg = Chart.ratio(title: "Quote conversion", value: 0.625, caption: "of quoted orders accepted")
        #expect(svg.contains("stroke-dasharray=\"62.5 100\""))
        #expect(svg.contains(">62.5%</text>"))
        #expect(svg.contains(">of quoted orders accepted</text>"))
        #expect(!Chart.ratio(title: "Q", value: 0, caption: "").contains("class=\"arc\""))
        #expect(Chart.Ratio.percent(0.4) == "40%")
    }

    @Test func niceTicks() {
        #expect(Chart.ticks(maxValue: 0, count: 4, integral: true) == [0])
        #expect(Chart.ticks(maxValue: 3, count: 4, integral: true) == [0, 1, 2, 3])
        #expect(Chart.ticks(maxValue: 95, count: 4, integral: true) == [0, 25, 50, 75, 100])
        #expect(Chart.ticks(maxValue: 1, count: 4, integral: false) == [0, 0.25, 0.5, 0.75, 1])
    }
}
