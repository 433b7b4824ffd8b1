import FactorRiskCore

// 7. Confidential-mode clients.
extension HTMLReportPage {
    func confidential() -> String {
        let clients = report.clients.filter { $0.mode == .confidential }
        guard !clients.isEmpty else { return section("confidential", "Confidential-mode clients", none()) }
        var largest: [String: (debtor: String, eligible: Int64)] = [:]
        for pair in report.pairs {
            if let current = largest[pair.clientRef],
               current.eligible > pair.eligible || (current.eligible == pair.eligible && !Self.byteOrder(pair.debtorRef, current.debtor)) {
                continue
            }
            largest[pair.clientRef] = (pair.debtorRef, pair.eligible)
        }
        var out = M.text("p", [:],
                         "Clients factored without the debtors' knowledge: the factor depends on their reporting and remittances. "
                             + "The largest share is the biggest single debtor's eligible over the client's eligible.")
        // Each client's flags on a line of their own under its figures: the codes are long, and a
        // column of them would push the figures off an A4 page.
        out += table([Column(title: "Client"), Column(title: "Tier"), Column(title: "Eligible", numeric: true),
                      Column(title: "Guaranteed", numeric: true), Column(title: "Concentration cap", numeric: true),
                      Column(title: "Concentration excess", numeric: true), Column(title: "Largest debtor share", numeric: true),
                      Column(title: "Availability", numeric: true)],
                     clients.map { client in
                         var share = "—"
                         if client.eligible != 0, let top = largest[client.clientRef], let bp = Rulebook.ratioBP(top.eligible, client.eligible) {
                             share = "\(N.percent(bp: bp)) (\(top.debtor))"
                         }
                         return [M.escape(client.clientRef), M.escape(client.tierLetter), money(client.eligible), money(client.guaranteed),
                                 money(client.concentrationCap), money(client.concentrationExcess), M.escape(share), money(client.availability)]
                     },
                     details: clients.map { M.text("span", ["class": "label"], "Flags:") + " " + flagChips($0.flags) })
        return section("confidential", "Confidential-mode clients", out)
    }
}
