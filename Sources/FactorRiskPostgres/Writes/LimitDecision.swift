/// One limit decision of the audit trail: a debtor's credit limit or a pair's approval, who set it, why.
public struct LimitDecision: Sendable, Equatable {
    public let id: Int64
    /// When, as `YYYY-MM-DDTHH:MM:SS.ffffffZ` (UTC).
    public let decidedAt: String
    /// `credit_limit` or `approval`.
    public let subject: String
    /// The client of an approval; nil for a credit limit.
    public let clientRef: String?
    public let debtorRef: String
    /// The value before, in base minor units; nil when there was none (a new approval).
    public let oldValue: Int64?
    public let newValue: Int64
    public let decidedBy: String
    public let reason: String
}
