import FactorRiskCore

/// A debtor's limits as its files state them and every change of them (RULEBOOK.md §9.1), read in
/// one query: what `GET /v1/debtors/{ref}/limits` judges as of a date with `LimitHistory`. Only the
/// store builds one.
public struct DebtorLimits: Sendable, Equatable {
    /// One limit: the debtor's credit limit (no client) or one pair's approval.
    public struct Subject: Sendable, Equatable {
        /// The client of an approval; nil for the credit limit.
        public var clientRef: String?
        /// The value of debtors.csv or approvals.csv; nil for a pair that has changes but no approvals row.
        public var file: Int64?
        /// The limit's changes, in the order of §9.1 (effective_on, announced_on, change_ref).
        public var changes: [Portfolio.LimitChange]
    }

    /// The tenant's base currency, in which every limit is.
    public var currency: Currency
    public var debtorRef: String
    public var creditLimit: Subject
    /// The pairs with an approvals row or a change, by client_ref in byte order.
    public var approvals: [Subject]
}
