import FactorRiskCore

// 4. Concentration: HHI and top-10 share over the stored snapshots.
extension HTMLReportPage {
    func concentration() -> String {
        let points = input.history.enumerated().sorted {
            $0.element.asOf != $1.element.asOf ? $0.element.asOf < $1.element.asOf : $0.offset < $1.offset
        }.map(\.element)
        var out = ""
        guard let last = points.last, let first = points.first else {
            out += none("No stored snapshots.")
            out += M.text("p", [:],
                          "This snapshot (\(report.asOf)): HHI \(hhiText(report.portfolio.hhiPPM)), top-10 share \(N.percent(bp: report.portfolio.top10ShareBP)).")
            return section("concentration", "Concentration", out)
        }
        out += M.text("p", [:],
                      "Herfindahl-Hirschman index (HHI) of covered exposure by debtor and the 10 largest debtors' share of it, "
                          + "over \(N.integer(points.count)) stored snapshot\(points.count == 1 ? "" : "s") from \(first.asOf) to \(last.asOf).")
        out += concentrationChart(points)
        out += M.element("p", [:],
                         M.text("strong", [:], "Latest (\(last.asOf)):") + M.escape(
                             " HHI \(hhiText(last.hhiPPM)), top-10 share \(N.percent(bp: last.top10ShareBP)), guaranteed \(money(last.guaranteed)) \(report.currency.code)."))
        if last.asOf != report.asOf {
            out += M.text("p", ["class": "note"], "The latest stored snapshot is not the one of this report (\(report.asOf)).")
        }
        return section("concentration", "Concentration", out)
    }

    func hhiText(_ ppm: Int64?) -> String {
        guard let ppm else { return "— (nothing covered)" }
        return "\(N.integer(ppm)) ppm (\(N.percent(ppm: ppm)))"
    }
}
