import FactorRiskCore

/// The dates a live answer may be asked for: from one year (366 days) before the tenant's earliest
/// stored snapshot, or before today when that is earlier or there is none, to one year after today.
///
/// Every new date costs a build of the tenant's whole live state, so the dates a key may ask for
/// are bounded to the span anyone has a use for: the history the tenant keeps and a year of
/// planning ahead. The bound also keeps every date the engine derives from `as_of` (ageing limits,
/// due dates) far inside the calendar's years 1...9999.
public struct LiveDateRange: Sendable, Equatable, CustomStringConvertible {
    /// How far the range reaches before the earliest snapshot and after today.
    public static let margin = 366

    public let earliest: CalendarDate
    public let latest: CalendarDate

    /// The range for a tenant whose earliest snapshot is `earliestSnapshot`, on `today`.
    public init(earliestSnapshot: CalendarDate?, today: CalendarDate) {
        let start = min(earliestSnapshot ?? today, today)
        let first = CalendarDate(year: CalendarDate.validYears.lowerBound, month: 1, day: 1)!.daysSinceEpoch
        let last = CalendarDate(year: CalendarDate.validYears.upperBound, month: 12, day: 31)!.daysSinceEpoch
        earliest = CalendarDate(daysSinceEpoch: max(first, start.daysSinceEpoch - Self.margin))
        latest = CalendarDate(daysSinceEpoch: min(last, today.daysSinceEpoch + Self.margin))
    }

    public func contains(_ date: CalendarDate) -> Bool { earliest <= date && date <= latest }

    /// "from 2025-11-19 to 2027-11-28".
    public var description: String { "from \(earliest) to \(latest)" }

    /// Throws `LiveDateOutOfRange` unless the range holds `date`.
    func check(_ date: CalendarDate) throws(LiveDateOutOfRange) {
        guard contains(date) else { throw LiveDateOutOfRange(date: date, range: self) }
    }
}

/// A live answer was asked for a date outside `LiveDateRange`.
public struct LiveDateOutOfRange: Error, Sendable, CustomStringConvertible {
    public let date: CalendarDate
    public let range: LiveDateRange

    public var description: String {
        "\(date) is outside the dates live answers cover, \(range) (one year before the earliest snapshot or today, to one year after today)"
    }
}
