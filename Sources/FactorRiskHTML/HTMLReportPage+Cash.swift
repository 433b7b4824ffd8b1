import FactorRiskCore

// 8. Cash control: the clients through whose hands the debtors' money passes (RULEBOOK §8).
extension HTMLReportPage {
    /// The flags of §8 a cash-control row shows: the cash breaches and the ledger patterns.
    static let cashFlags: [RiskFlag] = [
        .unremittedCollections, .paidStillOpen, .dilutionHigh, .duplicateSuspect, .roundAmounts, .newDebtorConcentration,
    ]

    /// Delegated and confidential clients (they collect every payment), then notified clients
    /// that reported a collection; in each, the most cash held first, then the most paid-still-open.
    func cashClients() -> [RiskReport.ClientRow] {
        let collecting = report.clients.filter { $0.mode != .notified }
        let notified = report.clients.filter { $0.mode == .notified && $0.collected > 0 }
        func ordered(_ rows: [RiskReport.ClientRow]) -> [RiskReport.ClientRow] {
            rows.sorted { a, b in
                if a.unremitted != b.unremitted { return a.unremitted > b.unremitted }
                if a.ineligible.paid != b.ineligible.paid { return a.ineligible.paid > b.ineligible.paid }
                return Self.byteOrder(a.clientRef, b.clientRef)
            }
        }
        return ordered(collecting) + ordered(notified)
    }

    func cash() -> String {
        let title = "Cash control"
        var out = M.text("p", [:],
                         "Clients whose debtors pay them rather than the factor: delegated and confidential clients, then notified clients "
                             + "that reported a payment misdirected to them. Unremitted is cash collected before the remittance delay and not "
                             + "passed on; its age is the days since the oldest collection not passed on. Paid still open: invoices the "
                             + "e-invoicing platform reports paid that the ledger still shows open. Undeposited: invoices never lodged on it.")
        out += cashTrend()
        let clients = cashClients()
        out += M.text("h3", [:], "Clients who collect")
        if clients.isEmpty {
            out += none("No client collects.")
        } else {
            func total(_ figure: (RiskReport.ClientRow) -> Int64) -> String { money(clients.reduce(0) { $0 + figure($1) }) }
            out += table([Column(title: "Client"), Column(title: "Mode"), Column(title: "Collected", numeric: true),
                          Column(title: "Remitted", numeric: true), Column(title: "Unremitted", numeric: true),
                          Column(title: "Age (days)", numeric: true), Column(title: "Paid still open", numeric: true),
                          Column(title: "Undeposited", numeric: true), Column(title: "Dilution", numeric: true),
                          Column(title: "Dilution reserve", numeric: true)],
                         clients.map { client in
                             [M.escape(client.clientRef), M.escape(client.mode.rawValue), money(client.collected), money(client.remitted),
                              money(client.unremitted), client.unremittedDays.map(N.integer) ?? "—", money(client.ineligible.paid),
                              money(client.ineligible.undeposited), M.escape(N.percent(bp: client.dilutionBP)), money(client.dilutionReserve)]
                         },
                         footer: ["Total", "", total(\.collected), total(\.remitted), total(\.unremitted), "", total(\.ineligible.paid),
                                  total(\.ineligible.undeposited), "", total(\.dilutionReserve)],
                         details: clients.map { client in
                             M.text("span", ["class": "label"], "Flags:") + " "
                                 + flagChips(client.flags.filter(Self.cashFlags.contains))
                         })
        }
        out += slowPayers()
        return section("cash", title, out)
    }

    /// The debtors flagged DEBTOR_SLOW_PAYER, the slowest first.
    func slowPayers() -> String {
        let slow = report.debtors.filter { $0.flags.contains(.debtorSlowPayer) }.sorted { a, b in
            let (x, y) = (a.pastDueDays ?? 0, b.pastDueDays ?? 0)
            return x != y ? x > y : Self.byteOrder(a.debtorRef, b.debtorRef)
        }
        var out = M.text("h3", [:], "Slow-paying debtors")
        guard !slow.isEmpty else { return out + none() }
        out += M.text("p", [:], "Debtors whose average unit owed is at least the policy's slow-payer days past due, with a guaranteed exposure.")
        out += table([Column(title: "Debtor"), Column(title: "Country"), Column(title: "Past due (days)", numeric: true),
                      Column(title: "Guaranteed", numeric: true)],
                     slow.map {
                         [M.escape($0.debtorRef), M.escape($0.country), $0.pastDueDays.map(N.integer) ?? "—", money($0.guaranteed)]
                     })
        return out
    }

    /// The unremitted cash over the stored snapshots, or the report's own figure without them.
    func cashTrend() -> String {
        let points = input.cashHistory.sorted { $0.asOf < $1.asOf }
        let current = "This snapshot (\(report.asOf)): unremitted \(money(report.portfolio.unremitted)) \(report.currency.code)."
        guard let first = points.first, let last = points.last else {
            return M.text("p", [:], "No stored snapshots of unremitted cash. " + current)
        }
        return M.text("p", [:],
                      "Unremitted cash of all clients over \(N.integer(points.count)) stored snapshot\(points.count == 1 ? "" : "s") "
                          + "from \(first.asOf) to \(last.asOf).")
            + cashChart(points) + M.text("p", [:], current)
    }
}
