import FactorRiskCore

// Cuts coming, after the debtors: the credit limits and approvals that an announced change lowers soon (RULEBOOK §9.2).
extension HTMLReportPage {
    /// Whether the change taking effect on `date` is within the next `HTMLReport.cutWindowDays` days:
    /// after the as-of date and fewer than that many days after it. A change 30 days out is not in the
    /// next 30, as a policy ending 30 days out is not "within the notice days" (INSURANCE_EXPIRING).
    func takesEffectSoon(_ date: CalendarDate?) -> Bool {
        guard let date else { return false }
        let days = date - report.asOf
        return days > 0 && days < HTMLReport.cutWindowDays
    }

    /// The debtors whose next pending change lowers their credit limit within the window: soonest
    /// first, then the largest projected excess, then by reference.
    func debtorCuts() -> [RiskReport.DebtorRow] {
        report.debtors.filter { row in
            row.pendingLimit.map { $0 < row.creditLimit } == true && takesEffectSoon(row.pendingOn)
        }
        .sorted { a, b in
            if a.pendingOn != b.pendingOn { return a.pendingOn! < b.pendingOn! }
            if a.projectedExcess != b.projectedExcess { return a.projectedExcess > b.projectedExcess }
            return Self.byteOrder(a.debtorRef, b.debtorRef)
        }
    }

    /// What a pair's pending approval takes off its guaranteed: the pair's share of its client's `approval_cut`.
    static func guaranteedCut(_ pair: RiskReport.PairRow) -> Int64 { max(0, pair.guaranteed - pair.projectedGuaranteed) }

    /// The pairs whose next pending change lowers their approval within the window: soonest first,
    /// then the most guaranteed cut, then by client and debtor.
    func approvalCuts() -> [RiskReport.PairRow] {
        report.pairs.filter { row in
            row.pendingApproved.map { $0 < row.approved } == true && takesEffectSoon(row.pendingOn)
        }
        .sorted { a, b in
            if a.pendingOn != b.pendingOn { return a.pendingOn! < b.pendingOn! }
            let (x, y) = (Self.guaranteedCut(a), Self.guaranteedCut(b))
            if x != y { return x > y }
            return a.clientRef != b.clientRef ? Self.byteOrder(a.clientRef, b.clientRef) : Self.byteOrder(a.debtorRef, b.debtorRef)
        }
    }

    func cutsComing() -> String {
        let title = "Cuts coming"
        let window = N.integer(HTMLReport.cutWindowDays)
        let (debtors, pairs) = (debtorCuts(), approvalCuts())
        guard !debtors.isEmpty || !pairs.isEmpty else {
            return section("cuts", title, none("No announced cut of a credit limit or an approval takes effect in the next \(window) days."))
        }
        var out = M.text("p", [:],
                         "Announced cuts that take effect in the next \(window) days (1 to \(N.integer(HTMLReport.cutWindowDays - 1)) days after \(report.asOf)): "
                             + "what the portfolio will hold beyond the new limits if nothing is paid or sold before then. Only the next "
                             + "pending change of each limit is shown.")
        let days = [Column(title: "Takes effect"), Column(title: "In (days)", numeric: true)]
        func when(_ date: CalendarDate?) -> [String] { [M.escape(date!.description), N.integer(date! - report.asOf)] }
        out += cutTable("Credit limits", empty: "No credit limit is cut.",
                        [Column(title: "Debtor"), Column(title: "Country")] + days
                            + ["Credit limit", "Pending limit", "Guaranteed", "Projected excess"].map { Column(title: $0, numeric: true) },
                        debtors.map {
                            [M.escape($0.debtorRef), M.escape($0.country)] + when($0.pendingOn)
                                + [money($0.creditLimit), money($0.pendingLimit!), money($0.guaranteed), money($0.projectedExcess)]
                        },
                        totals: [debtors.reduce(0) { $0 + $1.guaranteed }, debtors.reduce(0) { $0 + $1.projectedExcess }])
        out += cutTable("Approvals", empty: "No approval is cut.",
                        [Column(title: "Client"), Column(title: "Debtor")] + days
                            + ["Approved", "Pending approval", "Guaranteed", "Projected guaranteed", "Guaranteed cut"].map { Column(title: $0, numeric: true) },
                        pairs.map {
                            [M.escape($0.clientRef), M.escape($0.debtorRef)] + when($0.pendingOn)
                                + [money($0.approved), money($0.pendingApproved!), money($0.guaranteed), money($0.projectedGuaranteed),
                                   money(Self.guaranteedCut($0))]
                        },
                        totals: [pairs.reduce(0) { $0 + $1.guaranteed }, pairs.reduce(0) { $0 + $1.projectedGuaranteed },
                                 pairs.reduce(0) { $0 + Self.guaranteedCut($1) }])
        return section("cuts", title, out)
    }

    /// A table of cuts under its heading, or `empty` in words; `totals` fill the last columns of its footer.
    private func cutTable(_ title: String, empty: String, _ columns: [Column], _ rows: [[String]], totals: [Int64]) -> String {
        let heading = M.text("h3", [:], title)
        guard !rows.isEmpty else { return heading + none(empty) }
        let footer = ["Total"] + Array(repeating: "", count: columns.count - 1 - totals.count) + totals.map(money)
        return heading + table(columns, rows, footer: footer)
    }
}
