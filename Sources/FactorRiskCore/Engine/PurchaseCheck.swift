/// May the purchase desk buy a new invoice of `amount` from a client on a debtor, guaranteed in full?
///
/// The new invoice must be eligible (RULEBOOK.md §4.1 rules 3 to 5 for its pair, and §4.2: a
/// cross-aged pair guarantees nothing new), and fit under every limit above it: the pair's
/// approval (what is left of it above the pair's eligible ledger), the debtor's credit limit, its
/// country's limit and its group's large-exposure limit, the three headrooms §4.8 takes the
/// minimum of for `available_limit`, and, while a change of the debtor's credit limit is pending
/// (§9.2), what the debtor can hold once it takes effect: the desk does not buy today what an
/// announced cut will put over the limit.
public struct PurchaseCheck: Sendable, Equatable {
    /// A limit the invoice is held against, and what is left of it.
    public struct Limit: Sendable, Equatable {
        public enum Kind: String, Sendable, CaseIterable { case approval, debtor, country, group, pending }
        public var kind: Kind
        /// The pair as "client/debtor", the debtor (for its credit limit and its pending change),
        /// the country or the group.
        public var ref: String
        public var headroom: Int64
        /// The date the pending change takes effect; nil for the limits in force.
        public var effectiveOn: CalendarDate?

        public init(kind: Kind, ref: String, headroom: Int64, effectiveOn: CalendarDate? = nil) {
            self.kind = kind
            self.ref = ref
            self.headroom = headroom
            self.effectiveOn = effectiveOn
        }
    }

    public var amount: Int64
    /// Why an invoice of this pair would not be eligible, whatever its amount.
    public var ineligibleReason: InvoiceClass?
    public var limits: [Limit]
    public var availableLimit: Int64

    /// What stops the purchase, in order: the reason of ineligibility, then every limit it exceeds.
    public var stoppedBy: [String] {
        (ineligibleReason.map { [$0.rawValue] } ?? []) + limits.filter { amount > $0.headroom }.map(\.kind.rawValue)
    }

    public var allowed: Bool { stoppedBy.isEmpty }

    /// Checks `amount` (base minor units, above 0) against a debtor's live figures.
    /// `affiliate` says whether the client and the debtor share a group_ref.
    public init(
        amount: Int64, pair: RiskReport.PairRow, debtor: RiskReport.DebtorRow, group: RiskReport.GroupRow,
        country: RiskReport.CountryRow, affiliate: Bool
    ) {
        self.amount = amount
        ineligibleReason =
            if affiliate { .affiliate }
            else if country.embargoed { .embargo }
            else if pair.approved == 0 { .unapproved }
            else if pair.crossAged { .crossAged }
            else { nil }
        limits = [
            Limit(kind: .approval, ref: "\(pair.clientRef)/\(pair.debtorRef)", headroom: max(0, pair.approved - pair.eligible)),
            Limit(kind: .debtor, ref: debtor.debtorRef, headroom: debtor.headroom),
            Limit(kind: .country, ref: country.country, headroom: country.headroom),
            Limit(kind: .group, ref: group.groupRef, headroom: group.limit - group.guaranteed),
        ]
        if let pending = debtor.pendingLimit {
            limits.append(Limit(kind: .pending, ref: debtor.debtorRef, headroom: pending - debtor.guaranteed, effectiveOn: debtor.pendingOn))
        }
        availableLimit = debtor.availableLimit
    }
}
