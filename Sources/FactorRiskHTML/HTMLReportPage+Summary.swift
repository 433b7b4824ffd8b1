import FactorRiskCore

// 1. Summary: the tenant, the portfolio's totals and the flags by code.
extension HTMLReportPage {
    func summary() -> String {
        let p = report.portfolio
        var out = ""
        out += table([Column(title: "Tenant"), Column(title: "Reference"), Column(title: "As of"), Column(title: "Currency"),
                      Column(title: "Computed at")],
                     [[M.escape(input.tenantName), M.escape(report.tenantRef), M.escape(report.asOf.description),
                       M.escape("\(report.currency.code) (\(report.currency.exponent) decimals)"), M.escape(input.computedAt)]])

        out += M.text("h3", [:], "Portfolio")
        let hhi = p.hhiPPM.map { "\(N.integer($0)) ppm (\(N.percent(ppm: $0)))" } ?? "— (nothing covered)"
        let rows: [[String]] = [
            ["Gross", money(p.gross), "HHI of covered exposure", hhi],
            ["Eligible", money(p.eligible), "Top-10 debtors' share of covered", N.percent(bp: p.top10ShareBP)],
            ["Guaranteed", money(p.guaranteed), "Clients", N.integer(p.clients)],
            ["Covered", money(p.covered), "Debtors", N.integer(p.debtors)],
            ["Risk-weighted", money(p.riskWeighted), "Documents that took part", N.integer(p.documents)],
            ["Net loss after credit insurance", money(p.netLoss), "", ""],
        ]
        out += table([Column(title: "Figure"), Column(title: report.currency.code, numeric: true), Column(title: "Figure"),
                      Column(title: "Value", numeric: true)],
                     rows.map { $0.map(M.escape) })
        if !p.missingFX.isEmpty {
            let shown = p.missingFX.prefix(50).joined(separator: ", ")
            let rest = p.missingFX.count > 50 ? " and \(N.integer(p.missingFX.count - 50)) more" : ""
            out += M.text("p", ["class": "note"],
                          "Left out for want of an exchange rate on \(report.asOf) (\(N.integer(p.missingFX.count))): \(shown)\(rest).")
        }

        out += M.text("h3", [:], "Flags by code")
        let counted = p.flagsCount.filter { $0.value != 0 }
        func total(_ level: RiskFlag.Level) -> Int { counted.filter { $0.key.level == level }.reduce(0) { $0 + $1.value } }
        out += M.text("p", [:],
                      "Breaches: \(N.integer(total(.breach))) · warnings: \(N.integer(total(.warning))) · info: \(N.integer(total(.info)))")
        let levels: [RiskFlag.Level] = [.breach, .warning, .info]
        let codes = counted.keys.sorted {
            let (a, b) = (levels.firstIndex(of: $0.level)!, levels.firstIndex(of: $1.level)!)
            return a != b ? a < b : $0 < $1
        }
        if codes.isEmpty {
            out += none("No flags.")
        } else {
            out += table([Column(title: "Code"), Column(title: "Level"), Column(title: "Count", numeric: true)],
                         codes.map { [flagChips([$0]), M.escape($0.level.rawValue), N.integer(counted[$0]!)] })
        }
        return section("summary", "Summary", out)
    }
}
