import FactorRiskCore

// 2. Countries: the chart of the largest and the table of all.
extension HTMLReportPage {
    func countries() -> String {
        let sorted = report.countries.sorted {
            $0.guaranteed != $1.guaranteed ? $0.guaranteed > $1.guaranteed : Self.byteOrder($0.country, $1.country)
        }
        guard !sorted.isEmpty else { return section("countries", "Countries", none()) }
        var out = M.text("p", [:],
                         "Guaranteed outstanding against each country's limit, largest first. The limit of an embargoed country is 0.")
        out += countryChart(Array(sorted.prefix(HTMLReport.countryChartRows)))
        if sorted.count > HTMLReport.countryChartRows {
            out += M.text("p", ["class": "note"],
                          "The chart shows the \(HTMLReport.countryChartRows) largest of \(N.integer(sorted.count)) countries; the table lists them all.")
        }
        out += table([Column(title: "Country"), Column(title: "Grade", numeric: true), Column(title: "Embargoed"),
                      Column(title: "Guaranteed", numeric: true), Column(title: "Limit", numeric: true),
                      Column(title: "Utilization", numeric: true), Column(title: "Headroom", numeric: true), Column(title: "Flags")],
                     sorted.map {
                         [M.escape($0.country), N.integer($0.grade), $0.embargoed ? "yes" : "no", money($0.guaranteed), money($0.limit),
                          M.escape(N.percent(bp: $0.utilizationBP)), money($0.headroom), flagChips($0.flags)]
                     })
        return section("countries", "Countries", out)
    }
}
