import FactorRiskCore

// The bars of utilization, with the limit and the tenant's warning level drawn over them.
extension HTMLReportPage {
    func debtorChart(_ rows: [RiskReport.DebtorRow]) -> String {
        let width = 960, top = 34, rowHeight = 24, labelRight = 160, barLeft = 170, barLength = 540, textLeft = 722
        let height = top + rows.count * rowHeight + 26
        // The scale: at least 100 % and the warning level, at most 200 % unless the warning level is above
        // it (longer bars stop at the end of the scale; their text still gives the figure), in steps of 25 %.
        let step: Int64 = 2500
        let largest = rows.compactMap(\.utilizationBP).max() ?? 0
        var axis = Swift.max(10_000, warnBP, Swift.min(largest, Swift.max(20_000, warnBP)))
        axis = (axis + step - 1) / step * step
        func x(_ bp: Int64) -> Int { barLeft + N.scaled(bp, of: axis, to: barLength) }
        let bottom = top + rows.count * rowHeight
        var out = ""
        var tick: Int64 = 0
        while tick <= axis {
            out += line(x1: x(tick), y1: top - 4, x2: x(tick), y2: bottom, stroke: Self.grid)
            out += svgText(N.wholePercent(bp: tick), x: x(tick), y: bottom + 16, anchor: "middle", size: 11, fill: Self.muted)
            tick += step
        }
        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            let breached = row.guaranteed > row.creditLimit
            let warned = !breached && (row.utilizationBP.map { $0 >= warnBP } ?? false)
            out += svgText("\(row.debtorRef) · \(row.country)", x: labelRight, y: y + 16, anchor: "end")
            if let utilization = row.utilizationBP {
                out += rect(x: barLeft, y: y + 5, width: x(utilization) - barLeft, height: rowHeight - 10,
                            fill: breached ? Self.red : warned ? Self.amber : Self.dark)
            }
            var text = N.percent(bp: row.utilizationBP)
            if row.utilizationBP == nil { text += " (credit limit \(money(row.creditLimit)))" }
            if breached { text += " OVER LIMIT" } else if warned { text += " warning" }
            // A bar cut at the end of the scale says so with an arrow; the figure is in the text.
            if let utilization = row.utilizationBP, utilization > axis { text += " »" }
            out += svgText(text, x: textLeft, y: y + 16, weight: breached ? "700" : nil,
                           fill: breached ? Self.red : warned ? Self.amber : Self.ink)
        }
        // The limit (100 %) and the warning level, over the bars.
        out += line(x1: x(10_000), y1: top - 6, x2: x(10_000), y2: bottom, stroke: Self.ink, width: 2)
        out += line(x1: x(warnBP), y1: top - 6, x2: x(warnBP), y2: bottom, stroke: Self.amber, width: 2, dash: "6 3")
        let warnBeforeLimit = warnBP <= 10_000
        out += svgText("warning \(N.percent(bp: warnBP))", x: x(warnBP) + (warnBeforeLimit ? -4 : 4), y: top - 12,
                       anchor: warnBeforeLimit ? "end" : "start", size: 11, fill: Self.amber)
        out += svgText("limit \(N.percent(bp: 10_000))", x: x(10_000) + (warnBeforeLimit ? 4 : -4), y: top - 12,
                       anchor: warnBeforeLimit ? "start" : "end", size: 11)
        return svg(width: width, height: height,
                   title: "Utilization of the credit limit of the \(rows.count) most used debtors, as of \(report.asOf)", out)
    }
}
