/// The rules of RULEBOOK.md §4.4 to §4.8 and §6 that turn a level's sums into its figures and flags.
///
/// The reference engine applies them to sums it makes from documents; the live answers of the
/// HTTP API apply them to sums PostgreSQL keeps up to date. The production engine states the same
/// rules in SQL, and tests hold all three to the same figures.
public enum LevelRules {
    /// §4.4, §8, §6 and §4.10: a client's row from its pairs and its activity: sums, the funding
    /// waterfall with its dilution reserve, the cash it holds, its ledger patterns, flags and tier.
    public static func client(
        _ client: Portfolio.Client, pairs: [RiskReport.PairRow], activity: ClientActivity, policy: Policy, baseExponent: Int
    ) -> RiskReport.ClientRow {
        var row = RiskReport.ClientRow(clientRef: client.ref, mode: client.mode)
        for pair in pairs {
            row.gross += pair.gross
            row.creditNotes += pair.creditNotes
            row.ineligible = row.ineligible + pair.ineligible
            row.eligible += pair.eligible
            row.overApproval += pair.overApproval
            row.guaranteed += pair.guaranteed
            row.covered += pair.covered
            row.riskWeighted += pair.riskWeighted
        }
        row.concentrationCap = Rulebook.pct(row.eligible, policy.concentrationCapBP[client.mode]!)
        row.concentrationExcess = pairs.reduce(0) { $0 + max(0, $1.guaranteed - row.concentrationCap) }
        row.fundable = row.guaranteed - row.concentrationExcess
        // §8.1: one point of advance off for each point of dilution above the allowance, before the holdback.
        row.dilutionBP = Rulebook.ratioBP(activity.creditedWindow, activity.invoicedWindow)
        if let dilution = row.dilutionBP, dilution > policy.dilutionAllowanceBP {
            row.dilutionReserve = Rulebook.pct(row.fundable, min(10_000, dilution - policy.dilutionAllowanceBP))
        }
        let advanceable = row.fundable - row.dilutionReserve
        row.holdback = Rulebook.pct(advanceable, client.holdbackBP)
        row.fundingCapacity = min(advanceable - row.holdback, client.fundingLimit)
        row.fundedBalance = client.fundedBalance
        row.availability = row.fundingCapacity - client.fundedBalance

        // §8.2 to §8.4.
        row.collected = activity.collected
        row.remitted = activity.remitted
        row.unremitted = max(0, activity.collectedDue - activity.remitted)
        row.unremittedDays = activity.unremittedDays
        row.duplicateSuspects = activity.duplicateSuspects
        row.roundInvoices = activity.roundInvoices
        row.roundShareBP = Rulebook.ratioBP(Int64(activity.roundAmountInvoices), Int64(activity.roundInvoices))
        row.newDebtorEligible = pairs.filter(\.newDebtor).reduce(0) { $0 + $1.eligible }
        row.pastDueDays = activity.pastDueDays

        // §6, client flags, in table order.
        let confidential = client.mode == .confidential
        let belowRevenue = confidential && client.annualRevenue < policy.confidentialMinRevenue(baseExponent: baseExponent)
        let weakFinancials = confidential && client.financialGrade > policy.confidentialMaxGrade
        if confidential { row.flags.append(.confidentialMode) }
        if client.mode == .delegated { row.flags.append(.delegatedCollection) }
        if belowRevenue { row.flags.append(.confidentialBelowRevenue) }
        if weakFinancials { row.flags.append(.confidentialWeakFinancials) }
        if row.concentrationExcess > 0 { row.flags.append(.concentrationExcess) }
        if pairs.contains(where: \.crossAged) { row.flags.append(.crossAged) }
        if row.availability < 0 { row.flags.append(.overAdvance) }
        if let dilution = row.dilutionBP, dilution >= policy.dilutionWarnBP { row.flags.append(.dilutionHigh) }
        let cashFailed = row.unremitted > 0 || row.ineligible.paid > 0
        if row.unremitted > 0 { row.flags.append(.unremittedCollections) }
        if row.ineligible.paid > 0 { row.flags.append(.paidStillOpen) }
        if row.duplicateSuspects > 0 { row.flags.append(.duplicateSuspect) }
        if row.roundInvoices >= policy.roundMinInvoices, let share = row.roundShareBP, share >= policy.roundWarnBP {
            row.flags.append(.roundAmounts)
        }
        if row.eligible > 0, Int128(row.newDebtorEligible) * 10_000 > Int128(policy.newDebtorWarnBP) * Int128(row.eligible) {
            row.flags.append(.newDebtorConcentration)
        }
        // §9.2: a pending raise on one pair does not offset a cut on another.
        row.approvalCut = pairs.reduce(0) { $0 + max(0, $1.guaranteed - $1.projectedGuaranteed) }
        if row.approvalCut > 0 { row.flags.append(.approvalCutPending) }

        // §4.10: the risk tier.
        var tier = switch client.financialGrade {
        case ...3: 1
        case 4...6: 2
        case 7...8: 3
        default: 4
        }
        if confidential { tier += 1 }
        if belowRevenue || weakFinancials { tier += 1 }
        if row.availability < 0 { tier += 1 }
        if cashFailed { tier += 1 }
        row.tier = min(tier, 4)
        return row
    }

    /// §4.5 and §9.2: a debtor's utilization, headroom and projected excess, once its sums, its
    /// credit limit in force and its pending change (`pendingLimit`) are in.
    public static func debtorLimit(_ row: inout RiskReport.DebtorRow) {
        row.utilizationBP = Rulebook.ratioBP(row.guaranteed, row.creditLimit)
        row.headroom = row.creditLimit - row.guaranteed
        row.projectedExcess = row.pendingLimit.map { max(0, row.guaranteed - $0) } ?? 0
    }

    /// §9.3: what a debtor's credit insurance carries of its covered amount on `date`, and what the
    /// factor would lose, once `covered` is in. `policy` is the debtor's insurance, if it has one.
    public static func insurance(_ row: inout RiskReport.DebtorRow, _ policy: Portfolio.Insurance?, asOf date: CalendarDate) {
        row.insured = 0
        if let policy, policy.inForce(on: date) { row.insured = min(row.covered, policy.insuredLimit) }
        row.recoverable = Rulebook.pct(row.insured, policy?.coverBP ?? 0)
        row.netLoss = row.covered - row.recoverable
    }

    /// §4.6 and §6: a group's share of own funds, its limit and flags, once its sums are in.
    public static func group(_ row: inout RiskReport.GroupRow, ownFunds: Int64, policy: Policy) {
        row.ownFundsBP = Rulebook.ratioBP(row.guaranteed, ownFunds)
        row.limit = Rulebook.pct(ownFunds, policy.largeExposureLimitBP)
        row.flags = []
        let breached = row.guaranteed > row.limit
        if row.guaranteed > 0, Int128(row.guaranteed) * 10_000 >= Int128(policy.largeExposureReportBP) * Int128(ownFunds), !breached {
            row.flags.append(.largeExposure)
        }
        if breached { row.flags.append(.largeExposureBreach) }
    }

    /// §4.7 and §6: a country's limit, share, utilization, headroom and flags, once its sums are in.
    /// `total` is P, the tenant's total guaranteed.
    public static func country(_ row: inout RiskReport.CountryRow, risk: Portfolio.Country, total: Int64, policy: Policy) {
        row.limit = risk.embargoed ? 0 : risk.limit ?? Rulebook.pct(total, policy.countryCapBP[risk.grade])
        row.shareBP = Rulebook.ratioBP(row.guaranteed, total)
        row.utilizationBP = Rulebook.ratioBP(row.guaranteed, row.limit)
        row.headroom = row.limit - row.guaranteed
        row.flags = []
        let breached = row.guaranteed > row.limit
        if let utilization = row.utilizationBP, utilization >= policy.utilizationWarnBP, !breached { row.flags.append(.countryLimitWarn) }
        if breached { row.flags.append(.countryLimitBreach) }
        if risk.embargoed && row.gross > 0 { row.flags.append(.embargoExposure) }
    }

    /// §4.8 and the debtor flags of §6, once its group and country are known (and its `pastDueDays`,
    /// §8.4, and its pending change, §9.2).
    /// `insurance` is the debtor's credit insurance, if it has one.
    public static func debtor(
        _ row: inout RiskReport.DebtorRow, group: RiskReport.GroupRow, country: RiskReport.CountryRow, insurance: Portfolio.Insurance?,
        asOf date: CalendarDate, policy: Policy
    ) {
        // §4.8 with §9.2: only the next pending change counts, and a raise never lowers it.
        var available = min(row.headroom, country.headroom, group.limit - group.guaranteed)
        if let pending = row.pendingLimit { available = min(available, pending - row.guaranteed) }
        row.availableLimit = max(0, available)
        row.flags = []
        let breached = row.guaranteed > row.creditLimit
        if let utilization = row.utilizationBP, utilization >= policy.utilizationWarnBP, !breached { row.flags.append(.debtorLimitWarn) }
        if breached { row.flags.append(.debtorLimitBreach) }
        if row.approvedTotal > row.creditLimit { row.flags.append(.debtorOverAllocated) }
        if let days = row.pastDueDays, days >= Int64(policy.slowPayerDays), row.guaranteed > 0 { row.flags.append(.debtorSlowPayer) }
        if let pending = row.pendingLimit, pending < row.creditLimit, pending < row.guaranteed { row.flags.append(.limitCutPending) }
        if let insurance, insurance.inForce(on: date) {
            if row.covered > insurance.insuredLimit { row.flags.append(.uninsuredExposure) }
            if let end = insurance.validTo, end - date < policy.insuranceNoticeDays, row.covered > 0 { row.flags.append(.insuranceExpiring) }
        }
    }
}
