import FactorRiskCore

// If they failed, after the insured share: the worst single defaults (RULEBOOK §9.4), what each
// would cost against own funds and whose funding it would break.
extension HTMLReportPage {
    /// The subjects of `breaches` with `code` raised at `level`, in their order (§9.4's: by subject),
    /// or a dash when there are none.
    func subjects(_ breaches: [ScenarioOutcome.Breach], level: String, code: RiskFlag) -> String {
        let refs = breaches.filter { $0.level == level && $0.code == code }.map(\.subject)
        return refs.isEmpty ? "—" : M.escape(refs.joined(separator: ", "))
    }

    func ifTheyFailed() -> String {
        let title = "If they failed"
        let rows = input.worstDefaults
        guard !rows.isEmpty else {
            return section("defaults", title, none("No group has covered exposure: no single default would cost the factor anything."))
        }
        var out = M.text("p", [:],
                         "The \(N.integer(rows.count)) group\(rows.count == 1 ? "" : "s") whose default alone would cost the most on \(report.asOf), worst first. "
                             + "The loss is what the factor would lose on the group's debtors after credit insurance (their net loss); "
                             + "its share is of the tenant's own funds. Without the group's invoices a client's funding may fall below "
                             + "what it has drawn (over-advanced), and a country's limit, a share of a smaller portfolio, may break.")
        out += table([Column(title: "Group"), Column(title: "Loss", numeric: true), Column(title: "Share of own funds", numeric: true),
                      Column(title: "New breaches", numeric: true), Column(title: "Clients over-advanced"),
                      Column(title: "Country limits broken")],
                     rows.map {
                         [M.escape($0.groupRef), money($0.loss), M.escape(N.percent(bp: $0.lossOwnFundsBP)), N.integer($0.newBreaches.count),
                          subjects($0.newBreaches, level: "client", code: .overAdvance),
                          subjects($0.newBreaches, level: "country", code: .countryLimitBreach)]
                     })
        return section("defaults", title, out)
    }
}
