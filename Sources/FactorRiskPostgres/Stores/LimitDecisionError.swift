import FactorRiskCore

/// Why a limit decision was refused; nothing was written.
public enum LimitDecisionError: Error, Sendable, Equatable {
    /// The debtor or client named does not exist for the tenant (`what` names it, e.g. `debtor "D1"`).
    case notFound(String)
    /// The caller decided against `previous`, but the value in force is `current`: someone changed it meanwhile.
    case conflict(previous: Int64, current: Int64)
    /// A cut that takes effect sooner than the tenant's `limit_notice_days` (`days`) and is not
    /// marked urgent: the earliest date it may take effect is `earliest`.
    case noticeRequired(days: Int, earliest: CalendarDate)
}
