import FactorRiskCore

// 3. Debtors: the most used credit limits, chart and table.
extension HTMLReportPage {
    func debtors() -> String {
        let sorted = report.debtors.sorted { a, b in
            switch (a.utilizationBP, b.utilizationBP) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.guaranteed != b.guaranteed ? a.guaranteed > b.guaranteed : Self.byteOrder(a.debtorRef, b.debtorRef)
            }
        }
        guard !sorted.isEmpty else { return section("debtors", "Debtors by utilization", none()) }
        let top = Array(sorted.prefix(HTMLReport.topDebtors))
        var out = M.text("p", [:],
                         "The \(N.integer(top.count)) debtors of \(N.integer(sorted.count)) with the highest use of their credit limit "
                             + "(guaranteed over credit limit), across all clients. Warning level \(N.percent(bp: warnBP)).")
        out += debtorChart(top)
        out += table([Column(title: "Debtor"), Column(title: "Country"), Column(title: "Group"), Column(title: "Credit limit", numeric: true),
                      Column(title: "Guaranteed", numeric: true), Column(title: "Utilization", numeric: true),
                      Column(title: "Available limit", numeric: true), Column(title: "Flags")],
                     top.map {
                         [M.escape($0.debtorRef), M.escape($0.country), M.escape($0.groupRef), money($0.creditLimit), money($0.guaranteed),
                          M.escape(N.percent(bp: $0.utilizationBP)), money($0.availableLimit), flagChips($0.flags)]
                     })
        return section("debtors", "Debtors by utilization", out)
    }
}
