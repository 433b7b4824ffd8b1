/// Where limit decisions are made and audited: each change of a credit limit or an approval is
/// written with its audit row in one transaction, so there is no change without its reason.
public protocol DecisionStore: Sendable {
    /// The minor digits of the tenant's base currency, in which limits are written and shown.
    func baseExponent(_ tenant: TenantScope) async throws -> Int

    /// Sets a debtor's credit limit. With `previous`, only if that is still the current value.
    /// - Throws: `LimitDecisionError`.
    func setCreditLimit(_ tenant: TenantScope, debtorRef: String, to value: Int64, previous: Int64?,
                        reason: String, author: String) async throws -> LimitDecision

    /// Sets the approval of a client–debtor pair (none counts as 0). With `previous`, only if that is
    /// still the current value. The pair's live answers are updated.
    /// - Throws: `LimitDecisionError`.
    func setApproval(_ tenant: TenantScope, clientRef: String, debtorRef: String, to value: Int64, previous: Int64?,
                     reason: String, author: String) async throws -> LimitDecision

    /// The tenant's decisions with an id below `before`, newest first, at most `limit`.
    func decisions(_ tenant: TenantScope, before: Int64, limit: Int) async throws -> [LimitDecision]
}
