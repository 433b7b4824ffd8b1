import FactorRiskCore

// One column per bucket of days past due.
extension HTMLReportPage {
    func ageingChart(_ buckets: [HTMLReportInput.AgeingBucket]) -> String {
        let width = 960, height = 300, left = 40, right = 940, top = 30, bottom = 240
        let slot = (right - left) / buckets.count, column = slot * 3 / 5
        let maximum = buckets.map(\.open).max() ?? 0
        var out = line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: Self.ink)
        for (index, bucket) in buckets.enumerated() {
            let center = left + index * slot + slot / 2
            let barHeight = N.scaled(bucket.open, of: maximum, to: bottom - top)
            // Later buckets darker and warmer: the older the debt, the riskier.
            let fill = index == 0 ? Self.dark : index == buckets.count - 1 && buckets.count > 1 ? Self.red : Self.amber
            out += rect(x: center - column / 2, y: bottom - barHeight, width: column, height: barHeight, fill: fill)
            out += svgText(money(bucket.open), x: center, y: bottom - barHeight - 6, anchor: "middle", weight: "600")
            out += svgText(bucket.label, x: center, y: bottom + 20, anchor: "middle", weight: "600")
            out += svgText("\(N.integer(bucket.invoices)) invoice\(bucket.invoices == 1 ? "" : "s")", x: center, y: bottom + 38,
                           anchor: "middle", size: 11, fill: Self.muted)
        }
        return svg(width: width, height: height,
                   title: "Open invoices by days past due, \(report.currency.code), as of \(report.asOf)", out)
    }
}
