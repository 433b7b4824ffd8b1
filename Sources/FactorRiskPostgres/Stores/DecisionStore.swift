import FactorRiskCore

/// Where limit decisions are made and audited: each decision on a credit limit or an approval is
/// written as a limit change with its audit row in one transaction, so there is no change without
/// its reason. The values of the bundle's files are never rewritten: a decision takes effect on its
/// date through RULEBOOK.md §9.1, like a change of limit_changes.csv.
public protocol DecisionStore: Sendable {
    /// The minor digits of the tenant's base currency, in which limits are written and shown.
    func baseExponent(_ tenant: TenantScope) async throws -> Int

    /// Changes a debtor's credit limit from `decision.effectiveOn` on. With `previous`, only if that
    /// is the value in force on that date; a cut needs the tenant's notice unless urgent.
    /// - Throws: `LimitDecisionError`.
    func setCreditLimit(_ tenant: TenantScope, debtorRef: String, _ decision: LimitDecisionRequest) async throws -> LimitDecision

    /// Changes the approval of a client–debtor pair (none counts as 0) from `decision.effectiveOn`
    /// on, with the same checks as a credit limit. The pair's live answers are updated.
    /// - Throws: `LimitDecisionError`.
    func setApproval(_ tenant: TenantScope, clientRef: String, debtorRef: String, _ decision: LimitDecisionRequest) async throws -> LimitDecision

    /// The tenant's decisions with an id below `before`, newest first, at most `limit`.
    func decisions(_ tenant: TenantScope, before: Int64, limit: Int) async throws -> [LimitDecision]

    /// A debtor's credit limit and approvals with all their changes; nil for an unknown debtor.
    func limits(_ tenant: TenantScope, debtorRef: String) async throws -> DebtorLimits?
}
