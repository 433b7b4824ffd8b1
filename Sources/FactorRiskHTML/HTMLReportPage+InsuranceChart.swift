import FactorRiskCore

// A bar per debtor: its covered exposure, with the insured part of it drawn over it.
extension HTMLReportPage {
    func insuranceChart(_ rows: [RiskReport.DebtorRow]) -> String {
        let width = 960, top = 34, rowHeight = 24, labelRight = 160, barLeft = 170, barLength = 540, textLeft = 722
        let bottom = top + rows.count * rowHeight
        // The scale: the largest covered (the first row's) is the full length.
        let maximum = rows.map(\.covered).max() ?? 0
        func length(_ value: Int64) -> Int { N.scaled(value, of: maximum, to: barLength) }
        var out = line(x1: barLeft, y1: top - 4, x2: barLeft, y2: bottom, stroke: Self.ink)
        out += svgText(money(0), x: barLeft, y: bottom + 16, anchor: "middle", size: 11, fill: Self.muted)
        out += line(x1: barLeft + barLength, y1: top - 4, x2: barLeft + barLength, y2: bottom, stroke: Self.grid)
        out += svgText(money(maximum), x: barLeft + barLength, y: bottom + 16, anchor: "middle", size: 11, fill: Self.muted)
        // The legend.
        out += rect(x: barLeft, y: top - 24, width: 12, height: 10, fill: Self.light)
        out += svgText("covered", x: barLeft + 16, y: top - 15, size: 11)
        out += rect(x: barLeft + 80, y: top - 24, width: 12, height: 10, fill: Self.dark)
        out += svgText("insured", x: barLeft + 96, y: top - 15, size: 11)
        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            out += svgText("\(row.debtorRef) · \(row.country)", x: labelRight, y: y + 16, anchor: "end")
            out += M.element("rect", ["x": "\(barLeft)", "y": "\(y + 5)", "width": "\(length(row.covered))", "height": "\(rowHeight - 10)",
                                      "fill": Self.light],
                             M.text("title", [:], "\(row.debtorRef): covered \(money(row.covered))"))
            if row.insured > 0 {
                out += M.element("rect", ["x": "\(barLeft)", "y": "\(y + 5)", "width": "\(length(row.insured))", "height": "\(rowHeight - 10)",
                                          "fill": Self.dark],
                                 M.text("title", [:], "\(row.debtorRef): insured \(money(row.insured))"))
            }
            let share = Rulebook.ratioBP(row.insured, row.covered)
            out += svgText(row.insured > 0 ? "\(N.percent(bp: share)) insured" : "not insured", x: textLeft, y: y + 16,
                           fill: row.insured > 0 ? Self.ink : Self.red)
        }
        return svg(width: width, height: bottom + 26,
                   title: "Covered and insured exposure of the \(rows.count) debtors with the most covered, as of \(report.asOf)", out)
    }
}
