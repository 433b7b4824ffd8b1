import FactorRiskCore

// 5. Ageing of the ledger: open invoices by days past due.
extension HTMLReportPage {
    func ageing() -> String {
        let buckets = input.ageing
        guard !buckets.isEmpty else { return section("ageing", "Ageing of the ledger", none()) }
        let total = buckets.reduce(Int64(0)) { $0 + $1.open }
        let invoices = buckets.reduce(0) { $0 + $1.invoices }
        var out = M.text("p", [:],
                         "Open invoices that take part in the computation, by days past due as of \(report.asOf), in \(report.currency.code).")
        out += ageingChart(buckets)
        out += table([Column(title: "Days past due"), Column(title: "Invoices", numeric: true), Column(title: "Open", numeric: true),
                      Column(title: "Share", numeric: true)],
                     buckets.map {
                         [M.escape($0.label), N.integer($0.invoices), money($0.open), M.escape(N.percent(bp: Rulebook.ratioBP($0.open, total)))]
                     },
                     footer: ["Total", N.integer(invoices), money(total), M.escape(N.percent(bp: total == 0 ? nil : 10_000))])
        return section("ageing", "Ageing of the ledger", out)
    }
}
