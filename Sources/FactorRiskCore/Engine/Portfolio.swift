/// Everything the rulebook reads for one tenant (RULEBOOK.md §3), in memory.
///
/// The reference engine computes from this; the production engine reads the same inputs from
/// PostgreSQL. Money is in minor units: of the base currency, except a document's amounts, which
/// are in the document's own currency.
public struct Portfolio: Sendable {
    public struct Tenant: Sendable {
        public var ref: String
        public var baseCurrency: Currency
        public var homeCountry: String
        public var ownFunds: Int64

        public init(ref: String, baseCurrency: Currency, homeCountry: String, ownFunds: Int64) {
            self.ref = ref
            self.baseCurrency = baseCurrency
            self.homeCountry = homeCountry
            self.ownFunds = ownFunds
        }
    }

    public struct Country: Sendable {
        public var grade: Int
        public var embargoed: Bool
        public var limit: Int64?

        public init(grade: Int, embargoed: Bool, limit: Int64?) {
            self.grade = grade
            self.embargoed = embargoed
            self.limit = limit
        }
    }

    public struct Client: Sendable {
        public var ref: String
        public var country: String
        public var mode: ClientMode
        public var annualRevenue: Int64
        public var financialGrade: Int
        public var holdbackBP: Int64
        public var fundingLimit: Int64
        public var fundedBalance: Int64
        public var groupRef: String?

        public init(ref: String, country: String, mode: ClientMode, annualRevenue: Int64, financialGrade: Int, holdbackBP: Int64,
                    fundingLimit: Int64, fundedBalance: Int64, groupRef: String?) {
            self.ref = ref
            self.country = country
            self.mode = mode
            self.annualRevenue = annualRevenue
            self.financialGrade = financialGrade
            self.holdbackBP = holdbackBP
            self.fundingLimit = fundingLimit
            self.fundedBalance = fundedBalance
            self.groupRef = groupRef
        }
    }

    public struct Debtor: Sendable {
        public var ref: String
        public var country: String
        public var groupRef: String?
        public var creditLimit: Int64

        public init(ref: String, country: String, groupRef: String?, creditLimit: Int64) {
            self.ref = ref
            self.country = country
            self.groupRef = groupRef
            self.creditLimit = creditLimit
        }
    }

    public struct Document: Sendable {
        public enum Kind: String, Sendable { case invoice, creditNote = "credit_note" }
        public var ref: String
        public var clientRef: String
        public var debtorRef: String
        public var kind: Kind
        public var currency: Currency
        public var amount: Int64
        public var openAmount: Int64
        public var issueDate: CalendarDate
        public var dueDate: CalendarDate
        public var disputed: Bool

        public init(ref: String, clientRef: String, debtorRef: String, kind: Kind, currency: Currency, amount: Int64, openAmount: Int64,
                    issueDate: CalendarDate, dueDate: CalendarDate, disputed: Bool) {
            self.ref = ref
            self.clientRef = clientRef
            self.debtorRef = debtorRef
            self.kind = kind
            self.currency = currency
            self.amount = amount
            self.openAmount = openAmount
            self.issueDate = issueDate
            self.dueDate = dueDate
            self.disputed = disputed
        }
    }

    /// A payment a debtor made on a document and that the document's client reports having received
    /// itself (§3, §8.2); `amount` in the document's currency.
    public struct Collection: Sendable {
        public var ref: String
        public var docRef: String
        public var collectedOn: CalendarDate
        public var amount: Int64

        public init(ref: String, docRef: String, collectedOn: CalendarDate, amount: Int64) {
            self.ref = ref
            self.docRef = docRef
            self.collectedOn = collectedOn
            self.amount = amount
        }
    }

    /// Cash the factor received from a client to pass on what it collected (§3, §8.2).
    public struct Remittance: Sendable {
        public var ref: String
        public var clientRef: String
        public var receivedOn: CalendarDate
        public var currency: Currency
        public var amount: Int64

        public init(ref: String, clientRef: String, receivedOn: CalendarDate, currency: Currency, amount: Int64) {
            self.ref = ref
            self.clientRef = clientRef
            self.receivedOn = receivedOn
            self.currency = currency
            self.amount = amount
        }
    }

    /// A lifecycle status the e-invoicing platform reported for a document (§3, §4.1).
    public enum Event: String, Sendable, CaseIterable {
        case deposited, refused, paid
    }

    /// A change of a debtor's credit limit (`clientRef` nil) or of a pair's approval, announced on
    /// one date and taking effect on another (§9); an expiry is a change to 0. Base minor units.
    public struct LimitChange: Sendable, Equatable {
        public var ref: String
        public var debtorRef: String
        public var clientRef: String?
        public var newLimit: Int64
        public var announcedOn: CalendarDate
        public var effectiveOn: CalendarDate

        public init(ref: String, debtorRef: String, clientRef: String?, newLimit: Int64, announcedOn: CalendarDate,
                    effectiveOn: CalendarDate) {
            self.ref = ref
            self.debtorRef = debtorRef
            self.clientRef = clientRef
            self.newLimit = newLimit
            self.announcedOn = announcedOn
            self.effectiveOn = effectiveOn
        }
    }

    /// The credit insurance the factor holds on a debtor (§9.3); `insuredLimit` in base minor units.
    public struct Insurance: Sendable, Equatable {
        public var debtorRef: String
        public var insurer: String
        public var insuredLimit: Int64
        public var coverBP: Int64
        public var validFrom: CalendarDate
        /// Nil: open-ended.
        public var validTo: CalendarDate?

        public init(debtorRef: String, insurer: String, insuredLimit: Int64, coverBP: Int64, validFrom: CalendarDate,
                    validTo: CalendarDate?) {
            self.debtorRef = debtorRef
            self.insurer = insurer
            self.insuredLimit = insuredLimit
            self.coverBP = coverBP
            self.validFrom = validFrom
            self.validTo = validTo
        }

        /// §9.3: `valid_from ≤ D` and `valid_to` empty or `D ≤ valid_to`.
        public func inForce(on date: CalendarDate) -> Bool {
            validFrom <= date && (validTo.map { date <= $0 } ?? true)
        }
    }

    /// A client–debtor pair, the key of approvals and pair rows.
    public struct Pair: Sendable, Hashable, Comparable {
        public var clientRef: String
        public var debtorRef: String

        public init(_ clientRef: String, _ debtorRef: String) {
            self.clientRef = clientRef
            self.debtorRef = debtorRef
        }

        /// Byte order of the reference strings (RULEBOOK.md §2), client first.
        public static func < (a: Pair, b: Pair) -> Bool {
            if a.clientRef != b.clientRef { return Array(a.clientRef.utf8).lexicographicallyPrecedes(b.clientRef.utf8) }
            return Array(a.debtorRef.utf8).lexicographicallyPrecedes(b.debtorRef.utf8)
        }
    }

    public var tenant: Tenant
    public var policy: Policy
    public var countries: [String: Country]
    public var clients: [Client]
    public var debtors: [Debtor]
    /// Missing pairs have approved = 0.
    public var approvals: [Pair: Int64]
    public var documents: [Document]
    /// Per currency, its rates by date (base units per one unit).
    public var fxRates: [String: [CalendarDate: DecimalRate]]
    public var collections: [Collection] = []
    public var remittances: [Remittance] = []
    /// Per document ref, the date of each event reported for it (one per event).
    public var events: [String: [Event: CalendarDate]] = [:]
    /// §9: the changes of credit limits and approvals, in any order.
    public var limitChanges: [LimitChange] = []
    /// §9.3: the credit insurance policy on each debtor, by debtor ref.
    public var insurance: [String: Insurance] = [:]

    public init(tenant: Tenant, policy: Policy = Policy(), countries: [String: Country] = [:], clients: [Client] = [],
                debtors: [Debtor] = [], approvals: [Pair: Int64] = [:], documents: [Document] = [],
                fxRates: [String: [CalendarDate: DecimalRate]] = [:]) {
        self.tenant = tenant
        self.policy = policy
        self.countries = countries
        self.clients = clients
        self.debtors = debtors
        self.approvals = approvals
        self.documents = documents
        self.fxRates = fxRates
    }

    /// `rate(cur, D)`: the rate with the latest `as_of ≤ D`; 1 for the base currency; nil when none.
    public func rate(_ currency: Currency, on date: CalendarDate) -> DecimalRate? {
        if currency == tenant.baseCurrency { return .one }
        guard let rates = fxRates[currency.code] else { return nil }
        return rates.filter { $0.key <= date }.max { $0.key < $1.key }?.value
    }
}

/// Byte order of reference strings (RULEBOOK.md §2), for sorting rows.
public func byteOrder(_ a: String, _ b: String) -> Bool {
    Array(a.utf8).lexicographicallyPrecedes(b.utf8)
}
