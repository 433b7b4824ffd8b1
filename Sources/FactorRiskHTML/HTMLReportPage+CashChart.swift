import FactorRiskCore

// One column per stored snapshot: the cash the clients held.
extension HTMLReportPage {
    func cashChart(_ points: [HTMLReportInput.CashPoint]) -> String {
        let width = 960, height = 280, left = 110, right = 940, top = 30, bottom = 230
        let slot = (right - left) / max(1, points.count), column = max(2, slot * 3 / 5)
        let maximum = points.map(\.unremitted).max() ?? 0
        var out = line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: Self.ink)
        out += line(x1: left, y1: top, x2: left, y2: bottom, stroke: Self.ink)
        // The scale: 0 and the largest figure.
        out += svgText(money(0), x: left - 8, y: bottom + 4, anchor: "end", size: 11, fill: Self.muted)
        if maximum > 0 {
            out += line(x1: left, y1: top, x2: right, y2: top, stroke: Self.grid)
            out += svgText(money(maximum), x: left - 8, y: top + 4, anchor: "end", size: 11, fill: Self.muted)
        }
        // Amounts on the first, the last and the largest column; dates on the first and the last,
        // and on every column when there are few.
        let largest = points.firstIndex { $0.unremitted == maximum }
        for (index, point) in points.enumerated() {
            let center = left + index * slot + slot / 2
            let barHeight = N.scaled(point.unremitted, of: maximum, to: bottom - top)
            let isLast = index == points.count - 1
            out += M.element("rect", ["x": "\(center - column / 2)", "y": "\(bottom - barHeight)", "width": "\(column)",
                                      "height": "\(barHeight)", "fill": point.unremitted > 0 ? Self.red : Self.light],
                             M.text("title", [:], "\(point.asOf): unremitted \(money(point.unremitted))"))
            if index == 0 || isLast || index == largest {
                out += svgText(money(point.unremitted), x: center, y: bottom - barHeight - 6, anchor: "middle", size: 11)
            }
            if points.count <= 6 || index == 0 || isLast {
                out += svgText(point.asOf.description, x: center, y: bottom + 20, anchor: "middle", size: 11)
            }
        }
        return svg(width: width, height: height,
                   title: "Unremitted cash, \(report.currency.code), \(points.first!.asOf) to \(points.last!.asOf)", out)
    }
}
