#if canImport(Darwin)
import Darwin
#elseif canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A day of the proleptic Gregorian calendar, with no time and no time zone.
///
/// The rulebook reasons in whole calendar days (`days(D, d)`, ageing, due dates), and the formats
/// carry dates as `YYYY-MM-DD`; a timestamp type would drag in time zones and rounding that no rule
/// asks for. Years are limited to 1...9999 so every date has exactly one four-digit text form.
public struct CalendarDate: Sendable, Hashable, Comparable, CustomStringConvertible, Codable {
    /// The year, 1...9999.
    public let year: Int
    /// The month, 1...12.
    public let month: Int
    /// The day of the month, 1...28/29/30/31 depending on the month and year.
    public let day: Int

    /// The range of years a date may have: the years that print as exactly four digits.
    public static let validYears: ClosedRange<Int> = 1...9999

    /// Creates a date, or nil when the three numbers do not name a real day.
    ///
    /// Failing rather than normalising (as `DateComponents` would, turning 2026-02-30 into
    /// 2026-03-02) is what lets an import reject a bad date instead of silently moving it.
    public init?(year: Int, month: Int, day: Int) {
        guard Self.validYears.contains(year), (1...12).contains(month),
              day >= 1, day <= Self.daysInMonth(month, of: year)
        else { return nil }
        self.year = year
        self.month = month
        self.day = day
    }

    /// Parses exactly `YYYY-MM-DD`: ten ASCII characters, zero padded, a real day.
    ///
    /// Strict on purpose: FORMATS.md fixes this one spelling, and accepting `2026-2-1` or a trailing
    /// space would let two spellings of one key reach the database.
    public init?(iso text: some StringProtocol) {
        guard let date = Array(text.utf8).withUnsafeBufferPointer({ CalendarDate(iso: $0) }) else { return nil }
        self = date
    }

    /// Parses exactly `YYYY-MM-DD` from UTF-8 bytes (see `init(iso:)`).
    public init?(iso bytes: UnsafeBufferPointer<UInt8>) {
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else {
            return nil
        }
        func number(_ range: Range<Int>) -> Int? {
            var value = 0
            for index in range {
                let byte = bytes[index]
                guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard let year = number(0..<4), let month = number(5..<7), let day = number(8..<10) else {
            return nil
        }
        self.init(year: year, month: month, day: day)
    }

    /// Creates the date that lies `daysSinceEpoch` days after 1970-01-01 (negative: before it).
    ///
    /// Day numbers make date arithmetic plain integer arithmetic. This is Howard Hinnant's
    /// `civil_from_days`, exact for the whole proleptic Gregorian calendar, with no Foundation and
    /// no time zone. A day number outside 0001-01-01...9999-12-31 is a programming error and traps.
    public init(daysSinceEpoch: Int) {
        precondition(
            (Self.minDaysSinceEpoch...Self.maxDaysSinceEpoch).contains(daysSinceEpoch),
            "day \(daysSinceEpoch) since 1970-01-01 is outside the years 1...9999"
        )
        let z = daysSinceEpoch + 719_468                       // days since 0000-03-01
        let era = (z >= 0 ? z : z - 146_096) / 146_097          // 400-year eras, floored
        let dayOfEra = z - era * 146_097                        // 0...146096
        let yearOfEra = (dayOfEra - dayOfEra / 1_460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100) // from March 1
        let shiftedMonth = (5 * dayOfYear + 2) / 153            // 0 = March ... 11 = February
        let day = dayOfYear - (153 * shiftedMonth + 2) / 5 + 1
        let month = shiftedMonth < 10 ? shiftedMonth + 3 : shiftedMonth - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        self.year = year
        self.month = month
        self.day = day
    }

    /// The number of days from 1970-01-01 to this date (negative before it).
    ///
    /// Howard Hinnant's `days_from_civil`: counting years from March makes the leap day the last
    /// day of the year, so the month lengths follow the fixed pattern `(153 × m + 2) / 5`.
    public var daysSinceEpoch: Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400                                        // 0...399
        let dayOfYear = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1 // 0...365
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear  // 0...146096
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The date `days` calendar days later (earlier when negative), e.g. a due date from terms.
    ///
    /// Traps if the result would leave the years 1...9999, like integer overflow does.
    public func adding(days: Int) -> CalendarDate {
        CalendarDate(daysSinceEpoch: daysSinceEpoch + days)
    }

    /// The number of calendar days from `rhs` to `lhs`: the rulebook's `days(D, d)` is `D - d`.
    ///
    /// Positive when `lhs` is later, so `asOf - issueDate` is a document's age and
    /// `asOf - dueDate` how far past due it is.
    public static func - (lhs: CalendarDate, rhs: CalendarDate) -> Int {
        lhs.daysSinceEpoch - rhs.daysSinceEpoch
    }

    /// Orders dates chronologically, which for valid dates is the order of (year, month, day).
    public static func < (lhs: CalendarDate, rhs: CalendarDate) -> Bool {
        (lhs.year, lhs.month, lhs.day) < (rhs.year, rhs.month, rhs.day)
    }

    /// The `YYYY-MM-DD` form, zero padded: the one spelling the formats use everywhere.
    public var description: String {
        Self.pad(year, 4) + "-" + Self.pad(month, 2) + "-" + Self.pad(day, 2)
    }

    /// Today's date in UTC, read from the system's real-time clock.
    ///
    /// UTC rather than the machine's zone, so the default as-of date of a run does not depend on
    /// where the server happens to be.
    public static func today() -> CalendarDate {
        var now = timespec()
        clock_gettime(CLOCK_REALTIME, &now)
        let seconds = Int(now.tv_sec)
        let days = seconds >= 0 ? seconds / 86_400 : -((-seconds + 86_399) / 86_400)
        return CalendarDate(daysSinceEpoch: days)
    }

    /// Decodes the `YYYY-MM-DD` string of JSON and the formats, rejecting any other spelling.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let date = CalendarDate(iso: text) else {
            throw DecodingError.dataCorruptedError(
                in: container,
                debugDescription: "'\(text)' is not a date of the form YYYY-MM-DD"
            )
        }
        self = date
    }

    /// Encodes as the `YYYY-MM-DD` string, so JSON carries the same text as CSV and reports.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }

    /// Whether `year` has a February 29: every fourth year, except centuries not divisible by 400.
    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    /// The number of days of `month` (1...12) in `year`.
    public static func daysInMonth(_ month: Int, of year: Int) -> Int {
        switch month {
        case 2: isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// The day number of 0001-01-01, the first representable date.
    static let minDaysSinceEpoch = -719_162
    /// The day number of 9999-12-31, the last representable date.
    static let maxDaysSinceEpoch = 2_932_896

    private static func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}
