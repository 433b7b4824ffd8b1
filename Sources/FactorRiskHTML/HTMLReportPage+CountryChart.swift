import FactorRiskCore

// The bars of guaranteed against limit, one row per country.
extension HTMLReportPage {
    func countryChart(_ rows: [RiskReport.CountryRow]) -> String {
        let width = 960, top = 34, rowHeight = 38, labelRight = 190, barLeft = 200, barLength = 420, textLeft = 634
        let height = top + rows.count * rowHeight + 8
        let maximum = rows.map { Swift.max($0.guaranteed, $0.limit) }.max() ?? 0
        var out = ""
        // Legend.
        out += rect(x: barLeft, y: 6, width: 14, height: 12, fill: Self.light)
        out += svgText("limit", x: barLeft + 20, y: 16)
        out += rect(x: barLeft + 80, y: 6, width: 14, height: 12, fill: Self.dark)
        out += svgText("guaranteed", x: barLeft + 100, y: 16)
        out += rect(x: barLeft + 200, y: 6, width: 14, height: 12, fill: Self.red)
        out += svgText("guaranteed over the limit", x: barLeft + 220, y: 16)
        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            let over = row.guaranteed > row.limit
            var label = "\(row.country) · grade \(row.grade)"
            if row.embargoed { label += " · EMBARGOED" }
            out += svgText(label, x: labelRight, y: y + rowHeight / 2 + 4, anchor: "end", weight: row.embargoed ? "700" : nil)
            let limitLength = N.scaled(row.limit, of: maximum, to: barLength)
            out += rect(x: barLeft, y: y + 4, width: limitLength, height: rowHeight - 8, fill: Self.light)
            out += rect(x: barLeft, y: y + 12, width: N.scaled(row.guaranteed, of: maximum, to: barLength), height: rowHeight - 24,
                        fill: over ? Self.red : Self.dark)
            if row.limit > 0 {
                out += line(x1: barLeft + limitLength, y1: y + 2, x2: barLeft + limitLength, y2: y + rowHeight - 2, stroke: Self.ink, width: 2)
            }
            out += line(x1: barLeft, y1: y + 2, x2: barLeft, y2: y + rowHeight - 2, stroke: Self.muted)
            var first = "guaranteed \(money(row.guaranteed)) (\(N.percent(bp: row.utilizationBP)))"
            if over { first += " OVER LIMIT" }
            out += svgText(first, x: textLeft, y: y + 16, weight: over ? "700" : nil, fill: over ? Self.red : Self.ink)
            out += svgText("limit \(money(row.limit))\(row.embargoed ? " (embargoed)" : "")", x: textLeft, y: y + 31, fill: Self.muted)
        }
        return svg(width: width, height: height,
                   title: "Guaranteed outstanding against the limit by country, \(report.currency.code), as of \(report.asOf)", out)
    }
}
