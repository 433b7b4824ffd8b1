/// Everything the analysts' HTML report shows for one tenant and date.
public struct HTMLReportInput: Sendable {
    /// The concentration of the portfolio on one stored snapshot date, for the trend chart.
    public struct ConcentrationPoint: Sendable, Equatable {
        public var asOf: CalendarDate
        public var hhiPPM: Int64?
        public var top10ShareBP: Int64?
        public var guaranteed: Int64

        public init(asOf: CalendarDate, hhiPPM: Int64?, top10ShareBP: Int64?, guaranteed: Int64) {
            self.asOf = asOf
            self.hhiPPM = hhiPPM
            self.top10ShareBP = top10ShareBP
            self.guaranteed = guaranteed
        }
    }

    /// The cash the portfolio's clients held on one stored snapshot date (RULEBOOK §8.5): the
    /// trend an analyst watches to see a client stop remitting before the amounts grow.
    public struct CashPoint: Sendable, Equatable {
        public var asOf: CalendarDate
        /// The portfolio's `unremitted`, base minor units.
        public var unremitted: Int64

        public init(asOf: CalendarDate, unremitted: Int64) {
            self.asOf = asOf
            self.unremitted = unremitted
        }
    }

    /// Open invoices of the ledger by days past due as of the report's date (base minor units,
    /// documents that take part in the computation: issued on or before the date, open, with a rate).
    public struct AgeingBucket: Sendable, Equatable {
        /// "current", "1-30", "31-60", "61-90", "90+".
        public var label: String
        public var open: Int64
        public var invoices: Int

        public init(label: String, open: Int64, invoices: Int) {
            self.label = label
            self.open = open
            self.invoices = invoices
        }

        public static let labels = ["current", "1-30", "31-60", "61-90", "90+"]
    }

    public var tenantName: String
    /// Every level of the snapshot (pairs, clients, debtors, groups, countries, portfolio with flags_count).
    public var report: RiskReport
    /// Every stored snapshot of the tenant up to the report's date, oldest first.
    public var history: [ConcentrationPoint]
    /// In `AgeingBucket.labels` order.
    public var ageing: [AgeingBucket]
    /// When the snapshot was computed, as text (UTC).
    public var computedAt: String
    /// The tenant's warning level of utilization (policy `utilization_warn_bp`), drawn on the debtor chart.
    public var utilizationWarnBP: Int64
    /// The portfolio's unremitted cash on every stored snapshot up to the report's date, oldest
    /// first (empty when the page is rendered from a report alone).
    public var cashHistory: [CashPoint]
    /// The worst single defaults on the report's date (RULEBOOK §9.4), at most ten, worst first:
    /// what the factor would lose if one group failed, and whose funding that would break. Empty
    /// when no group has covered exposure (or when the page is rendered from a report alone).
    public var worstDefaults: [WorstDefault]

    public init(
        tenantName: String, report: RiskReport, history: [ConcentrationPoint], ageing: [AgeingBucket], computedAt: String,
        utilizationWarnBP: Int64 = Policy().utilizationWarnBP, cashHistory: [CashPoint] = [], worstDefaults: [WorstDefault] = []
    ) {
        self.utilizationWarnBP = utilizationWarnBP
        self.cashHistory = cashHistory
        self.worstDefaults = worstDefaults
        self.tenantName = tenantName
        self.report = report
        self.history = history
        self.ageing = ageing
        self.computedAt = computedAt
    }
}
