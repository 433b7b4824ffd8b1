/// Every figure of RULEBOOK.md §4 for one tenant as of one date: the rows of each level, sorted by
/// their key in byte order, as FORMATS.md lists their fields. Money in base minor units.
public struct RiskReport: Sendable, Equatable {
    /// Sums by reason of ineligibility (§4.3), in `InvoiceClass.reasons` order.
    public struct Ineligible: Sendable, Equatable {
        public var paid: Int64 = 0
        public var disputed: Int64 = 0
        public var undeposited: Int64 = 0
        public var aged: Int64 = 0
        public var affiliate: Int64 = 0
        public var embargo: Int64 = 0
        public var unapproved: Int64 = 0
        public var crossAged: Int64 = 0

        public init() {}

        public subscript(reason: InvoiceClass) -> Int64 {
            get {
                switch reason {
                case .paid: paid
                case .disputed: disputed
                case .undeposited: undeposited
                case .aged: aged
                case .affiliate: affiliate
                case .embargo: embargo
                case .unapproved: unapproved
                case .crossAged: crossAged
                case .eligible: 0
                }
            }
            set {
                switch reason {
                case .paid: paid = newValue
                case .disputed: disputed = newValue
                case .undeposited: undeposited = newValue
                case .aged: aged = newValue
                case .affiliate: affiliate = newValue
                case .embargo: embargo = newValue
                case .unapproved: unapproved = newValue
                case .crossAged: crossAged = newValue
                case .eligible: break
                }
            }
        }

        static func + (a: Ineligible, b: Ineligible) -> Ineligible {
            var sum = a
            for reason in InvoiceClass.reasons { sum[reason] += b[reason] }
            return sum
        }
    }

    public struct PairRow: Sendable, Equatable {
        public var clientRef: String
        public var debtorRef: String
        public var approved: Int64 = 0
        public var gross: Int64 = 0
        public var creditNotes: Int64 = 0
        public var ineligible = Ineligible()
        public var eligible: Int64 = 0
        public var guaranteed: Int64 = 0
        public var overApproval: Int64 = 0
        public var coverBP: Int64 = 0
        public var covered: Int64 = 0
        public var riskWeighted: Int64 = 0
        public var crossAged = false
        /// §8.3: the pair's first invoice was issued less than `new_debtor_days` before the date.
        public var newDebtor = false
        /// §9.2: the next pending change of the approval, and when it takes effect; nil when none.
        public var pendingApproved: Int64?
        public var pendingOn: CalendarDate?
        /// min(eligible, pending_approved) when a change is pending, else guaranteed.
        public var projectedGuaranteed: Int64 = 0

        public init(clientRef: String, debtorRef: String, approved: Int64 = 0) {
            self.clientRef = clientRef
            self.debtorRef = debtorRef
            self.approved = approved
        }
    }

    public struct ClientRow: Sendable, Equatable {
        public var clientRef: String
        public var mode: ClientMode
        public var gross: Int64 = 0
        public var creditNotes: Int64 = 0
        public var eligible: Int64 = 0
        public var overApproval: Int64 = 0
        public var guaranteed: Int64 = 0
        public var covered: Int64 = 0
        public var riskWeighted: Int64 = 0
        public var ineligible = Ineligible()
        public var concentrationCap: Int64 = 0
        public var concentrationExcess: Int64 = 0
        public var fundable: Int64 = 0
        /// §8.1: credit notes over invoices of the dilution window; nil when nothing was invoiced.
        public var dilutionBP: Int64?
        public var dilutionReserve: Int64 = 0
        public var holdback: Int64 = 0
        public var fundingCapacity: Int64 = 0
        public var fundedBalance: Int64 = 0
        public var availability: Int64 = 0
        /// §8.2: cash the client collected, remitted, and still holds past the remittance delay.
        public var collected: Int64 = 0
        public var remitted: Int64 = 0
        public var unremitted: Int64 = 0
        /// Days since the oldest collection not yet passed on; nil when every collection is covered.
        public var unremittedDays: Int64?
        /// §8.3: the ledger patterns.
        public var duplicateSuspects = 0
        public var roundInvoices = 0
        public var roundShareBP: Int64?
        public var newDebtorEligible: Int64 = 0
        /// §8.4: days past due of an average unit owed; nil when nothing is owed.
        public var pastDueDays: Int64?
        /// §9.2: what the pending approval cuts will take off guaranteed, pair by pair.
        public var approvalCut: Int64 = 0
        /// 1 to 4, reported as A to D.
        public var tier = 1
        public var flags: [RiskFlag] = []

        public init(clientRef: String, mode: ClientMode) {
            self.clientRef = clientRef
            self.mode = mode
        }

        /// The tier as reports show it.
        public var tierLetter: String { ["A", "B", "C", "D"][tier - 1] }
    }

    public struct DebtorRow: Sendable, Equatable {
        public var debtorRef: String
        public var country: String
        /// The group as §4.6 names it: the debtor's own ref when it has none.
        public var groupRef: String
        public var creditLimit: Int64
        public var gross: Int64 = 0
        public var eligible: Int64 = 0
        public var guaranteed: Int64 = 0
        public var covered: Int64 = 0
        public var riskWeighted: Int64 = 0
        public var approvedTotal: Int64 = 0
        public var clients = 0
        public var utilizationBP: Int64?
        public var headroom: Int64 = 0
        public var availableLimit: Int64 = 0
        /// §8.4: days past due of an average unit owed; nil when nothing is owed.
        public var pastDueDays: Int64?
        /// §9.2: the next pending change of the credit limit, and when it takes effect; nil when none.
        public var pendingLimit: Int64?
        public var pendingOn: CalendarDate?
        /// max(0, guaranteed − pending_limit); 0 when nothing is pending.
        public var projectedExcess: Int64 = 0
        /// §9.3: the part of covered the credit insurance carries, what it pays, and what is left.
        public var insured: Int64 = 0
        public var recoverable: Int64 = 0
        public var netLoss: Int64 = 0
        public var flags: [RiskFlag] = []

        public init(debtorRef: String, country: String, groupRef: String, creditLimit: Int64) {
            self.debtorRef = debtorRef
            self.country = country
            self.groupRef = groupRef
            self.creditLimit = creditLimit
        }
    }

    public struct GroupRow: Sendable, Equatable {
        public var groupRef: String
        public var debtors = 0
        public var guaranteed: Int64 = 0
        public var covered: Int64 = 0
        public var ownFundsBP: Int64?
        public var limit: Int64 = 0
        /// §9.3: the sum of its debtors' net loss.
        public var netLoss: Int64 = 0
        public var flags: [RiskFlag] = []

        public init(groupRef: String) { self.groupRef = groupRef }
    }

    public struct CountryRow: Sendable, Equatable {
        public var country: String
        public var gross: Int64 = 0
        public var guaranteed: Int64 = 0
        public var covered: Int64 = 0
        public var debtors = 0
        public var grade: Int
        public var embargoed: Bool
        public var limit: Int64 = 0
        public var shareBP: Int64?
        public var utilizationBP: Int64?
        public var headroom: Int64 = 0
        public var flags: [RiskFlag] = []

        public init(country: String, grade: Int, embargoed: Bool) {
            self.country = country
            self.grade = grade
            self.embargoed = embargoed
        }
    }

    public struct PortfolioRow: Sendable, Equatable {
        public var gross: Int64 = 0
        public var eligible: Int64 = 0
        public var guaranteed: Int64 = 0
        public var covered: Int64 = 0
        public var riskWeighted: Int64 = 0
        /// §8.5: the sum of the clients' unremitted cash.
        public var unremitted: Int64 = 0
        /// §9.3: the sum of the debtors' net loss.
        public var netLoss: Int64 = 0
        public var hhiPPM: Int64?
        public var top10ShareBP: Int64?
        public var clients = 0
        public var debtors = 0
        public var documents = 0
        /// Flags of every subject, counted by code.
        public var flagsCount: [RiskFlag: Int] = [:]
        /// Documents left out because their currency had no rate on the date, by ref (byte order).
        public var missingFX: [String] = []
        /// Collections and remittances left out of §8.2 for want of a rate, by ref (byte order).
        public var missingFXCollections: [String] = []
        public var missingFXRemittances: [String] = []

        public init() {}
    }

    public var tenantRef: String
    public var asOf: CalendarDate
    public var currency: Currency
    public var pairs: [PairRow] = []
    public var clients: [ClientRow] = []
    public var debtors: [DebtorRow] = []
    public var groups: [GroupRow] = []
    public var countries: [CountryRow] = []
    public var portfolio = PortfolioRow()

    public init(tenantRef: String, asOf: CalendarDate, currency: Currency) {
        self.tenantRef = tenantRef
        self.asOf = asOf
        self.currency = currency
    }
}
