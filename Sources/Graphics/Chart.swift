/// Server-rendered SVG charts for the sales dashboard: aggregates only, never personal data.
///
/// Every chart is one `<svg class="chart">` element that can be pasted into an HTML page as is:
/// - `role="img"` with `aria-labelledby` pointing at its `<title>` and at a `<desc>` that spells out
///   every figure, so a screen reader gets the data, not a picture of it;
/// - no `style` attribute and no `<style>` element (the CSP forbids inline styles): colours come from
///   classes (`bar`, `axis`, `grid`, `label`, `value`, `series-*`, `swatch`, `track`, `arc`, `empty`)
///   that `app.css` styles under `svg.chart`;
/// - all text from data is XML-escaped, and numbers that are negative, NaN or infinite count as 0, so
///   the output never contains `NaN` or `inf`;
/// - output is deterministic: the same input gives the same bytes, and element ids derive from the title.
///
/// The text widths used for layout assume the 13 px chart font that `app.css` sets.
public enum Chart {
    /// One data series of a stacked bar chart, e.g. the order counts of one status per week.
    public struct Series: Sendable {
        /// Shown in the legend and in the text summary.
        public var name: String
        /// The colour class, e.g. `series-quoted` (a bare `quoted` gets the `series-` prefix).
        /// Characters other than letters, digits, `-` and `_` are replaced; an empty class becomes
        /// `series-1`, `series-2`, … by position, which `app.css` colours as a categorical palette.
        public var cssClass: String
        /// One value per label, in label order. Missing values count as 0, extra ones are ignored.
        public var values: [Double]

        public init(name: String, cssClass: String, values: [Double]) {
            self.name = name
            self.cssClass = cssClass
            self.values = values
        }
    }

    /// Vertical stacked bars: one bar per label (e.g. ISO week), one segment per series (e.g. order status).
    /// Each bar shows its total above it (when it fits), and a legend lists the series.
    public static func stackedBars(
        title: String, labels: [String], series: [Series], valueFormat: @Sendable (Double) -> String
    ) -> String {
        StackedBars(title: title, labels: labels, series: series).render(format: valueFormat)
    }

    /// Horizontal bars, one per label (e.g. revenue per region), in the order given.
    public static func horizontalBars(
        title: String, labels: [String], values: [Double], valueFormat: @Sendable (Double) -> String
    ) -> String {
        HorizontalBars(title: title, labels: labels, values: values).render(format: valueFormat)
    }

    /// A single ratio in 0...1 (e.g. quote conversion) as a ring with the percentage in the middle
    /// and the caption below it. Values outside 0...1 are clamped; NaN counts as 0.
    public static func ratio(title: String, value: Double, caption: String) -> String {
        Ratio(title: title, value: value, caption: caption).render()
    }
}
