import FactorRiskCore

// Insured share of the largest exposures, after the cuts coming: how much of what the factor covers a credit insurer carries (RULEBOOK §9.3).
extension HTMLReportPage {
    /// The flags of §9.3 an insurance row shows.
    static let insuranceFlags: [RiskFlag] = [.uninsuredExposure, .insuranceExpiring]

    /// The debtors with the most covered (ties by reference), at most `HTMLReport.insuredDebtors`.
    func largestCovered() -> [RiskReport.DebtorRow] {
        let sorted = report.debtors.filter { $0.covered > 0 }.sorted {
            $0.covered != $1.covered ? $0.covered > $1.covered : Self.byteOrder($0.debtorRef, $1.debtorRef)
        }
        return Array(sorted.prefix(HTMLReport.insuredDebtors))
    }

    func insurance() -> String {
        let title = "Insured share of the largest exposures"
        let rows = largestCovered()
        let p = report.portfolio
        let total = M.text("p", [:],
                           "Portfolio: covered \(money(p.covered)), net loss after credit insurance \(money(p.netLoss)) \(report.currency.code).")
        guard !rows.isEmpty else { return section("insurance", title, none("Nothing is covered.") + total) }
        var out = M.text("p", [:],
                         "The \(N.integer(rows.count)) debtors with the most covered exposure: the part of it a credit insurance in force "
                             + "carries (insured, up to the policy's limit), what the insurer would pay (recoverable, at the policy's cover) "
                             + "and what the factor would lose if the debtor failed (net loss = covered − recoverable).")
        out += insuranceChart(rows)
        func sum(_ figure: (RiskReport.DebtorRow) -> Int64) -> String { money(rows.reduce(0) { $0 + figure($1) }) }
        out += table([Column(title: "Debtor"), Column(title: "Country"), Column(title: "Covered", numeric: true),
                      Column(title: "Insured", numeric: true), Column(title: "Insured share", numeric: true),
                      Column(title: "Recoverable", numeric: true), Column(title: "Net loss", numeric: true), Column(title: "Flags")],
                     rows.map {
                         [M.escape($0.debtorRef), M.escape($0.country), money($0.covered), money($0.insured),
                          M.escape(N.percent(bp: Rulebook.ratioBP($0.insured, $0.covered))), money($0.recoverable), money($0.netLoss),
                          flagChips($0.flags.filter(Self.insuranceFlags.contains))]
                     },
                     footer: ["Total", "", sum(\.covered), sum(\.insured), "", sum(\.recoverable), sum(\.netLoss), ""])
        return section("insurance", title, out + total)
    }
}
