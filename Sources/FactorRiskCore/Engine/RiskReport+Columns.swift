/// The figures of each report level, in FORMATS.md's order, with what each means (the OpenAPI
/// document's report schemas are generated from these lines). To add a figure to a level: a
/// stored property on its row type, filled in by the reference engine, and one line here; the
/// engine's SQL computes the column of the same name.
extension ReportColumnInfo {
    /// What a group of figures means, by the group's name.
    public static let groupSummaries: [String: String] = [
        "ineligible": "Open invoice amounts that are not eligible, by reason. Each invoice counts under the first reason that applies, in the order listed.",
    ]
}

extension ReportColumn {
    /// The sums by reason of ineligibility (§4.3) kept at `path`: a column per reason, in the
    /// order the reasons apply, grouped as `ineligible`.
    static func ineligible(_ path: WritableKeyPath<Row, RiskReport.Ineligible>) -> [Self] {
        let reasons: [(String, WritableKeyPath<RiskReport.Ineligible, Int64>, String)] = [
            ("paid", \.paid, "Amount excluded because the e-invoicing platform reported the invoices paid more than the remittance delay ago while the ledger still shows them open."),
            ("disputed", \.disputed, "Amount excluded because the documents are disputed or were refused by the buyer on the e-invoicing platform."),
            ("undeposited", \.undeposited, "Amount excluded because the invoices were never deposited on the e-invoicing platform within the deposit delay."),
            ("aged", \.aged, "Amount excluded because the documents are too long after issue or too long past due."),
            ("affiliate", \.affiliate, "Amount excluded because the debtor belongs to the same group as the client."),
            ("embargo", \.embargo, "Amount excluded because the debtor is located in an embargoed country."),
            ("unapproved", \.unapproved, "Amount excluded because there is no approval for the client-debtor pair."),
            ("cross_aged", \.crossAged, "Amount excluded because the pair is cross-aged: too large a share of its invoices is aged."),
        ]
        return reasons.map { name, reason, summary in .money(name, path.appending(path: reason), group: "ineligible", summary) }
    }
}

extension RiskReport.PairRow: ReportRow {
    public static var blank: Self { Self(clientRef: "", debtorRef: "") }

    public static let columns: [ReportColumn<Self>] = [
        .reference("client_ref", \.clientRef, key: true, "Reference of the client (the seller of the receivables)."),
        .reference("debtor_ref", \.debtorRef, key: true, "Reference of the debtor (the buyer who owes the receivables)."),
        .money("approved", \.approved, "Approval granted for this client on this debtor; zero when there is none."),
        .money("gross", \.gross, "Open amounts of the pair's invoices less its credit notes."),
        .money("credit_notes", \.creditNotes, "Sum of the open amounts of the pair's credit notes."),
    ] + ReportColumn.ineligible(\.ineligible) + [
        .money("eligible", \.eligible, "Open amounts of the eligible invoices less the credit notes, and never below zero."),
        .money("guaranteed", \.guaranteed, "Part of the eligible amount within the approval: the smaller of eligible and approved."),
        .money("over_approval", \.overApproval, "Part of the eligible amount that exceeds the approval."),
        .init("cover_bp", .basisPoints, .int64(\.coverBP), sortable: false, "Share of the guaranteed amount the guarantee covers, in basis points (10000 is 100%): the domestic cover when the debtor is in the tenant's home country, the foreign cover otherwise."),
        .money("covered", \.covered, "Guaranteed amount times cover_bp, rounded down: what the factor pays if the debtor fails."),
        .money("risk_weighted", \.riskWeighted, "Covered amount times the risk weight of the client's mode, rounded down."),
        .init("cross_aged", .boolean, .boolean(\.crossAged), "Whether the aged share of the pair's invoices is above the cross-ageing threshold, which makes all of its otherwise eligible invoices ineligible."),
        .init("new_debtor", .boolean, .boolean(\.newDebtor), "Whether the pair's first invoice was issued less than the new-debtor period before the as-of date."),
        .optionalMoney("pending_approved", \.pendingApproved, "The approval the next pending change will set (announced on or before the as-of date, effective after it); null when no change is pending."),
        .date("pending_on", \.pendingOn, "The date the next pending change of the approval takes effect; null when none is pending."),
        .money("projected_guaranteed", \.projectedGuaranteed, "Guaranteed once the pending change takes effect: the smaller of eligible and the pending approval; guaranteed when nothing is pending."),
    ]
}

extension RiskReport.ClientRow: ReportRow {
    public static var blank: Self { Self(clientRef: "", mode: .notified) }

    public static let columns: [ReportColumn<Self>] = [
        .reference("client_ref", \.clientRef, key: true, "Reference of the client."),
        .init("mode", .mode, .mode(\.mode), "How the relationship with the debtors is run: notified (debtors know of the factor, which collects), delegated (debtors know of the factor, the client collects and remits) or confidential (debtors do not know of the factor, the client collects)."),
        .money("gross", \.gross, "Sum of gross over the client's pairs."),
        .money("credit_notes", \.creditNotes, "Sum of credit_notes over the client's pairs."),
        .money("eligible", \.eligible, "Sum of eligible over the client's pairs."),
        .money("over_approval", \.overApproval, "Sum of over_approval over the client's pairs."),
        .money("guaranteed", \.guaranteed, "Sum of guaranteed over the client's pairs."),
        .money("covered", \.covered, "Sum of covered over the client's pairs."),
        .money("risk_weighted", \.riskWeighted, "Sum of risk_weighted over the client's pairs."),
    ] + ReportColumn.ineligible(\.ineligible) + [
        .money("concentration_cap", \.concentrationCap, "Largest guaranteed amount on one debtor that counts towards funding: the policy share for the client's mode of its eligible amount, rounded down."),
        .money("concentration_excess", \.concentrationExcess, "Sum over the client's pairs of the part of guaranteed above the concentration cap."),
        .money("fundable", \.fundable, "Guaranteed less the concentration excess."),
        .ratio("dilution_bp", \.dilutionBP, "Credit notes issued in the dilution window over the invoices issued in it (full amounts, open or closed), in basis points, rounded down; null when nothing was invoiced."),
        .money("dilution_reserve", \.dilutionReserve, "Part of the fundable amount held back for dilution: one basis point of fundable per basis point of dilution above the allowance, rounded down; zero within the allowance."),
        .money("holdback", \.holdback, "Part of the fundable amount retained and not advanced: the client's holdback rate applied to fundable less the dilution reserve, rounded down."),
        .money("funding_capacity", \.fundingCapacity, "Most the client may be advanced: fundable less the dilution reserve and the holdback, capped at the client's funding limit."),
        .money("funded_balance", \.fundedBalance, "Advances to the client currently outstanding."),
        .money("availability", \.availability, "Amount that can still be advanced: funding capacity less funded balance. Negative when the client is over-advanced."),
        .money("collected", \.collected, "Payments the client reports having received itself from debtors, up to the as-of date."),
        .money("remitted", \.remitted, "Cash the factor received from the client to pass on what it collected, up to the as-of date."),
        .money("unremitted", \.unremitted, "Cash collected more than the remittance delay ago and not passed on: collected by then less remitted, never below zero."),
        .init("unremitted_days", .days, .optionalInt64(\.unremittedDays), "Days since the oldest collection not yet covered by remittances (remittances pay the oldest collections first); null when every collection is covered."),
        .count("duplicate_suspects", \.duplicateSuspects, "Open invoices that have a twin (same debtor, currency and amount) issued within the duplicate window."),
        .count("round_invoices", \.roundInvoices, "Invoices issued in the round-amount window, open or closed."),
        .ratio("round_share_bp", \.roundShareBP, "Share of those invoices whose amount is a whole multiple of the round unit, in basis points, rounded down; null when there are none."),
        .money("new_debtor_eligible", \.newDebtorEligible, "Sum of eligible over the client's pairs with a new debtor."),
        .init("past_due_days", .days, .optionalInt64(\.pastDueDays), "Days past due of an average unit the client's debtors owe on the invoices that take part, rounded down; null when nothing is owed."),
        .money("approval_cut", \.approvalCut, "What the pending approval cuts will take off the client's guaranteed amount: the sum over its pairs of guaranteed less projected guaranteed, where positive."),
        .init("tier", .tier, .int(\.tier), "Risk tier of the client, from A (lowest risk) to D (highest). It starts from the client's financial grade and is raised by confidential mode, by a failed confidential-mode requirement, by over-advance and by failed handling of the factor's cash."),
        .flags(\.flags),
    ]
}

extension RiskReport.DebtorRow: ReportRow {
    public static var blank: Self { Self(debtorRef: "", country: "", groupRef: "", creditLimit: 0) }

    public static let columns: [ReportColumn<Self>] = [
        .reference("debtor_ref", \.debtorRef, key: true, "Reference of the debtor."),
        .init("country", .country, .text(\.country), key: false, ""),
        .reference("group_ref", \.groupRef, "Reference of the group of connected debtors the debtor belongs to; the debtor's own debtor_ref when it belongs to no group."),
        .money("credit_limit", \.creditLimit, "Credit limit set on the debtor."),
        .money("gross", \.gross, "Sum of gross over the debtor's pairs, across all clients."),
        .money("eligible", \.eligible, "Sum of eligible over the debtor's pairs."),
        .money("guaranteed", \.guaranteed, "Sum of guaranteed over the debtor's pairs."),
        .money("covered", \.covered, "Sum of covered over the debtor's pairs."),
        .money("risk_weighted", \.riskWeighted, "Sum of risk_weighted over the debtor's pairs."),
        .money("approved_total", \.approvedTotal, "Sum of all approvals granted to clients on this debtor."),
        .count("clients", \.clients, "Number of the debtor's pairs whose gross is not zero or whose approval is above zero."),
        .ratio("utilization_bp", \.utilizationBP, "Guaranteed divided by the credit limit, in basis points, rounded down; null when the credit limit is zero."),
        .money("headroom", \.headroom, "Credit limit less guaranteed; negative when the limit is exceeded."),
        .money("available_limit", \.availableLimit, "What the debtor can still take in new guaranteed purchases: the smallest of the debtor's headroom, its country's headroom and its group's limit less the group's guaranteed and, when a change of the credit limit is pending, the pending limit less guaranteed; never below zero."),
        .init("past_due_days", .days, .optionalInt64(\.pastDueDays), "Days past due of an average unit the debtor owes on the invoices that take part, rounded down; null when nothing is owed."),
        .optionalMoney("pending_limit", \.pendingLimit, "The credit limit the next pending change will set (announced on or before the as-of date, effective after it); null when no change is pending."),
        .date("pending_on", \.pendingOn, "The date the next pending change of the credit limit takes effect; null when none is pending."),
        .money("projected_excess", \.projectedExcess, "Guaranteed above the pending credit limit, never below zero; zero when nothing is pending."),
        .money("insured", \.insured, "Part of covered the debtor's credit insurance carries while in force: the smaller of covered and the insured limit; zero without insurance in force."),
        .money("recoverable", \.recoverable, "What the credit insurer pays if the debtor fails: insured times the policy's cover, rounded down."),
        .money("net_loss", \.netLoss, "What the factor loses if the debtor fails: covered less recoverable."),
        .flags(\.flags),
    ]
}

extension RiskReport.GroupRow: ReportRow {
    public static var blank: Self { Self(groupRef: "") }

    public static let columns: [ReportColumn<Self>] = [
        .reference("group_ref", \.groupRef, key: true, "Reference of the group of connected debtors."),
        .count("debtors", \.debtors, "Number of debtors in the group."),
        .money("guaranteed", \.guaranteed, "Sum of guaranteed over the group's debtors."),
        .money("covered", \.covered, "Sum of covered over the group's debtors."),
        .ratio("own_funds_bp", \.ownFundsBP, "Guaranteed divided by the tenant's own funds, in basis points, rounded down; null when own funds are zero."),
        .money("limit", \.limit, "Large-exposure limit of the group: the policy share of the tenant's own funds, rounded down."),
        .money("net_loss", \.netLoss, "Sum of net_loss over the group's debtors: what the factor loses if the group fails."),
        .flags(\.flags),
    ]
}

extension RiskReport.CountryRow: ReportRow {
    public static var blank: Self { Self(country: "", grade: 0, embargoed: false) }

    public static let columns: [ReportColumn<Self>] = [
        .init("country", .country, .text(\.country), key: true, ""),
        .money("gross", \.gross, "Sum of gross over the debtors located in the country."),
        .money("guaranteed", \.guaranteed, "Sum of guaranteed over the debtors located in the country."),
        .money("covered", \.covered, "Sum of covered over the debtors located in the country."),
        .count("debtors", \.debtors, "Number of debtors located in the country."),
        .init("grade", .grade, .int(\.grade), "Country risk grade from 0 (lowest risk) to 7 (highest risk)."),
        .init("embargoed", .boolean, .boolean(\.embargoed), "Whether the country is under embargo."),
        .money("limit", \.limit, "Country limit: zero when the country is embargoed, otherwise its explicit limit when one is set, otherwise the policy share for its grade of the tenant's total guaranteed."),
        .ratio("share_bp", \.shareBP, "Guaranteed divided by the tenant's total guaranteed, in basis points, rounded down; null when the total is zero."),
        .ratio("utilization_bp", \.utilizationBP, "Guaranteed divided by the country limit, in basis points, rounded down; null when the limit is zero."),
        .money("headroom", \.headroom, "Country limit less guaranteed; negative when the limit is exceeded."),
        .flags(\.flags),
    ]
}

extension RiskReport.PortfolioRow: ReportRow {
    public static var blank: Self { Self() }

    public static let columns: [ReportColumn<Self>] = [
        .money("gross", \.gross, "Sum of gross over all pairs."),
        .money("eligible", \.eligible, "Sum of eligible over all pairs."),
        .money("guaranteed", \.guaranteed, "Sum of guaranteed over all pairs."),
        .money("covered", \.covered, "Sum of covered over all pairs."),
        .money("risk_weighted", \.riskWeighted, "Sum of risk_weighted over all pairs."),
        .money("unremitted", \.unremitted, "Sum of unremitted over all clients."),
        .money("net_loss", \.netLoss, "Sum of net_loss over all debtors."),
        .ratio("hhi_ppm", \.hhiPPM, "Herfindahl-Hirschman index of covered across debtors, in parts per million, rounded down: the sum of the squares of each debtor's covered divided by the square of their sum. Null when covered is zero."),
        .ratio("top10_share_bp", \.top10ShareBP, "Share of covered held by the ten debtors with the largest covered, in basis points, rounded down; null when covered is zero."),
        .count("clients", \.clients, "Number of clients of the tenant."),
        .count("debtors", \.debtors, "Number of debtors of the tenant."),
        .count("documents", \.documents, "Number of documents that took part in the computation: issued on or before the as-of date, with an open amount, and with an exchange rate."),
    ]
}
