import FactorRiskCore

// The two series over time, broken where a snapshot had nothing covered.
extension HTMLReportPage {
    func concentrationChart(_ points: [HTMLReportInput.ConcentrationPoint]) -> String {
        let width = 960, height = 330, left = 70, right = 890, top = 40, bottom = 270
        let plotWidth = right - left, plotHeight = bottom - top
        let full: Int64 = 1_000_000  // 100 % in ppm; top-10 share bp × 100 is ppm too
        let firstDay = points.first!.asOf.daysSinceEpoch, span = points.last!.asOf.daysSinceEpoch - firstDay
        func x(_ point: HTMLReportInput.ConcentrationPoint) -> Int {
            span == 0 ? left + plotWidth / 2 : left + (point.asOf.daysSinceEpoch - firstDay) * plotWidth / span
        }
        func y(ppm: Int64) -> Int { bottom - N.scaled(ppm, of: full, to: plotHeight) }
        var out = ""
        // Axes, grid and their labels.
        for quarter in 0...4 {
            let ppm = Int64(quarter) * full / 4
            out += line(x1: left, y1: y(ppm: ppm), x2: right, y2: y(ppm: ppm), stroke: quarter == 0 ? Self.ink : Self.grid)
            out += svgText(N.wholePercent(bp: ppm / 100), x: left - 8, y: y(ppm: ppm) + 4, anchor: "end", size: 11, fill: Self.muted)
        }
        out += line(x1: left, y1: top, x2: left, y2: bottom, stroke: Self.ink)
        out += "<text x=\"16\" y=\"\((top + bottom) / 2)\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(Self.muted)\" "
            + "transform=\"rotate(-90 16 \((top + bottom) / 2))\">share of covered exposure</text>"
        // Legend.
        out += line(x1: left, y1: 14, x2: left + 30, y2: 14, stroke: Self.dark, width: 2)
        out += "<circle cx=\"\(left + 15)\" cy=\"14\" r=\"4\" fill=\"\(Self.dark)\"/>"
        out += svgText("HHI (solid, circles)", x: left + 38, y: 18)
        out += line(x1: left + 220, y1: 14, x2: left + 250, y2: 14, stroke: Self.amber, width: 2, dash: "6 4")
        out += rect(x: left + 231, y: 10, width: 8, height: 8, fill: Self.amber)
        out += svgText("top-10 share (dashed, squares)", x: left + 258, y: 18)

        // The series, broken where a snapshot had nothing covered (null).
        let hhi = points.map { point in point.hhiPPM.map { (x(point), y(ppm: $0)) } }
        let top10 = points.map { point in point.top10ShareBP.map { (x(point), y(ppm: $0 * 100)) } }
        func polylines(_ series: [(Int, Int)?], stroke: String, dash: String?) -> String {
            var runs: [[(Int, Int)]] = [[]]
            for point in series {
                if let point { runs[runs.count - 1].append(point) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            return runs.filter { $0.count > 1 }.map { run in
                let coordinates = run.map { "\($0.0),\($0.1)" }.joined(separator: " ")
                return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\""
                    + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>"
            }.joined()
        }
        out += polylines(top10, stroke: Self.amber, dash: "6 4")
        out += polylines(hhi, stroke: Self.dark, dash: nil)

        let labelAll = points.count <= 12
        for (index, point) in points.enumerated() {
            let labelled = labelAll || index == 0 || index == points.count - 1
            // Value labels beside the point at either end of the axis, so they stay clear of it.
            let (dx, anchor) = points.count == 1 ? (0, "middle") : index == 0 ? (6, "start") : index == points.count - 1 ? (-6, "end") : (0, "middle")
            let tooltip = "\(point.asOf): HHI \(hhiText(point.hhiPPM)), top-10 share \(N.percent(bp: point.top10ShareBP))"
            if case let (px, py)? = top10[index] {
                out += M.element("rect", ["x": "\(px - 4)", "y": "\(py - 4)", "width": "8", "height": "8", "fill": Self.amber],
                                 M.text("title", [:], tooltip))
                if labelled { out += svgText(N.percent(bp: point.top10ShareBP), x: px + dx, y: py - 9, anchor: anchor, size: 11, fill: Self.amber) }
            }
            if case let (px, py)? = hhi[index] {
                out += M.element("circle", ["cx": "\(px)", "cy": "\(py)", "r": "4", "fill": Self.dark], M.text("title", [:], tooltip))
                if labelled { out += svgText(N.percent(ppm: point.hhiPPM), x: px + dx, y: py + 18, anchor: anchor, size: 11, fill: Self.dark) }
            }
        }
        // Dates: the first and the last, and the ones between when there is room for them.
        var lastLabelX = Int.min
        for (index, point) in points.enumerated() {
            let isFirst = index == 0, isLast = index == points.count - 1
            let px = x(point)
            out += line(x1: px, y1: bottom, x2: px, y2: bottom + 4, stroke: Self.ink)
            if points.count == 1 {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "middle", size: 11)
            } else if isFirst {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "start", size: 11)
                lastLabelX = px + 70
            } else if isLast {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "end", size: 11)
            } else if points.count <= 8, px - 35 > lastLabelX + 10, px + 35 < right - 80 {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "middle", size: 11)
                lastLabelX = px + 35
            }
        }
        return svg(width: width, height: height,
                   title: "HHI and top-10 share of covered exposure, \(points.first!.asOf) to \(points.last!.asOf)", out)
    }
}
