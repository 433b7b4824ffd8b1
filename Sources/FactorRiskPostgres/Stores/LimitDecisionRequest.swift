import FactorRiskCore

/// What a limit decision asks for: a new value of a credit limit or an approval, from a date on.
///
/// A decision is recorded as a limit change (RULEBOOK.md §9.1) announced `today` and taking effect
/// on `effectiveOn`, so that the bundle's own values stay as the files state them and a cut can be
/// announced ahead of time, as the tenant's `limit_notice_days` requires.
public struct LimitDecisionRequest: Sendable, Equatable {
    /// A decision announced on `today` and taking effect on `effectiveOn`, that day itself unless
    /// given; without the optimistic check and not urgent: set `previous` and `urgent` when asked.
    public init(value: Int64, effectiveOn: CalendarDate? = nil, today: CalendarDate = .today(), reason: String, author: String) {
        self.value = value
        self.today = today
        self.reason = reason
        self.author = author
        self.effectiveOn = effectiveOn ?? today
    }

    /// The new value, in base minor units.
    public var value: Int64
    /// The date the new value takes effect; not before `today`.
    public var effectiveOn: CalendarDate
    /// Why, as the decider wrote it.
    public var reason: String
    /// Who decides: the API key's description.
    public var author: String
    /// The date the change is announced: the day the decision is made (UTC).
    public var today: CalendarDate
    /// The value the caller believes in force on `effectiveOn`; nil to decide without that check.
    public var previous: Int64? = nil
    /// Whether a cut may take effect sooner than the notice period; only an admin may say so.
    public var urgent = false
}
