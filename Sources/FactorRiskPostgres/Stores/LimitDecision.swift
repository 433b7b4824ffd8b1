import FactorRiskCore

/// One limit decision of the audit trail: a debtor's credit limit or a pair's approval, who set it, why.
public struct LimitDecision: Sendable, Equatable {
    /// The decision's number: later decisions have higher ones (the audit list's cursor).
    public let id: Int64
    /// When, as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC).
    public let decidedAt: String
    /// `credit_limit` or `approval`.
    public let subject: String
    /// The client of an approval; nil for a credit limit.
    public let clientRef: String?
    /// The debtor whose limit, or whose approval for `clientRef`, was decided.
    public let debtorRef: String
    /// The value in force on `effectiveOn` before the decision, in base minor units; nil when there
    /// was none (a new approval).
    public let oldValue: Int64?
    /// The value decided, in base minor units.
    public let newValue: Int64
    /// Who decided: the API key's description.
    public let decidedBy: String
    /// Why, as the decider wrote it; required, so that every change can be explained later.
    public let reason: String
    /// The date the new value takes effect; nil for decisions made before limits had dates (they
    /// took effect at once).
    public let effectiveOn: CalendarDate?
    /// Whether an admin let a cut take effect sooner than the notice period.
    public let urgent: Bool
    /// The limit change the decision recorded (`api-` and the decision's number); nil for
    /// decisions made before limits had dates.
    public let changeRef: String?
}
