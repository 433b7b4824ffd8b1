import Foundation
import Testing
@testable import FactorRiskCore

@Suite("CalendarDate")
struct CalendarDateTests {
    @Test("leap years: 2024-02-29 and 2000-02-29 exist, 2026-02-29 and 1900-02-29 do not")
    func leapYears() {
        // 2024 is divisible by 4 and not by 100: leap. 2026 is not divisible by 4.
        // 1900 is a century not divisible by 400: common. 2000 is divisible by 400: leap.
        #expect(CalendarDate(year: 2024, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2026, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 1900, month: 2, day: 29) == nil)
        #expect(CalendarDate(year: 2000, month: 2, day: 29) != nil)
        #expect(CalendarDate(year: 2026, month: 2, day: 28) != nil)
    }

    @Test("month lengths, month and year bounds are validated, never normalised")
    func componentValidity() {
        #expect(CalendarDate(year: 2026, month: 4, day: 30) != nil)
        #expect(CalendarDate(year: 2026, month: 4, day: 31) == nil)    // April has 30 days
        #expect(CalendarDate(year: 2026, month: 12, day: 31) != nil)
        #expect(CalendarDate(year: 2026, month: 13, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 0, day: 1) == nil)
        #expect(CalendarDate(year: 2026, month: 1, day: 0) == nil)
        #expect(CalendarDate(year: 0, month: 1, day: 1) == nil)        // years are 1...9999
        #expect(CalendarDate(year: 1, month: 1, day: 1) != nil)
        #expect(CalendarDate(year: 9999, month: 12, day: 31) != nil)
        #expect(CalendarDate(year: 10000, month: 1, day: 1) == nil)
    }

    @Test("ISO parsing accepts exactly YYYY-MM-DD of a real day")
    func isoParsing() throws {
        let date = try #require(CalendarDate(iso: "2026-11-20"))
        #expect(date.year == 2026 && date.month == 11 && date.day == 20)
        #expect(CalendarDate(iso: "2024-02-29") != nil)
        #expect(CalendarDate(iso: "0001-01-01") != nil)
        #expect(CalendarDate(iso: "2026-11-20"[...]) == date)      // a Substring of a CSV line
    }

    @Test(
        "ISO parsing rejects every other spelling",
        arguments: [
            "2026-2-1", "2026-02-30", "2026-11-20 ", " 2026-11-20", "2026/11/20", "20261120",
            "2026-11-2x", "0000-01-01", "2026-13-01", "2026-00-10", "2026-01-00", "+026-01-01",
            "2026-11-20T00:00:00Z", "", "２０２６-01-01", "-026-01-01",
        ]
    )
    func isoRejections(text: String) {
        #expect(CalendarDate(iso: text) == nil)
    }

    @Test("days between 2026-08-01 and 2026-11-20 is 111")
    func daysBetween() throws {
        // August 31 + September 30 + October 31 = 92 days to 2026-11-01, + 19 to the 20th = 111.
        let issue = try #require(CalendarDate(iso: "2026-08-01"))
        let asOf = try #require(CalendarDate(iso: "2026-11-20"))
        #expect(asOf - issue == 111)
        #expect(issue - asOf == -111)
        #expect(asOf - asOf == 0)
        #expect(asOf.adding(days: -111) == issue)
    }

    @Test("day numbers of known dates: 1970-01-01 is 0, 2000-01-01 is 10957, 2000-03-01 is 11017")
    func knownDayNumbers() throws {
        // 1970...1999 is 30 years with 7 leap days (72, 76, 80, 84, 88, 92, 96): 30 × 365 + 7 = 10957.
        // Then January 31 + February 29 (2000 is leap) = 60 more: 11017.
        #expect(try #require(CalendarDate(iso: "1970-01-01")).daysSinceEpoch == 0)
        #expect(try #require(CalendarDate(iso: "1969-12-31")).daysSinceEpoch == -1)
        #expect(try #require(CalendarDate(iso: "2000-01-01")).daysSinceEpoch == 10957)
        #expect(try #require(CalendarDate(iso: "2000-03-01")).daysSinceEpoch == 11017)
        #expect(CalendarDate(daysSinceEpoch: 0).description == "1970-01-01")
    }

    @Test("day numbers match a naive day-by-day count over all of 0001-01-01...9999-12-31")
    func roundTripAgainstNaiveCounter() {
        // An independent computation: walk the calendar one day at a time from the epoch, with its
        // own month table, and check both directions of the conversion at every step.
        func length(_ year: Int, _ month: Int) -> Int {
            let leap = year % 400 == 0 || (year % 4 == 0 && year % 100 != 0)
            return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        }
        var mismatches = 0
        func check(_ year: Int, _ month: Int, _ day: Int, _ count: Int) {
            let date = CalendarDate(daysSinceEpoch: count)
            if date.year != year || date.month != month || date.day != day
                || CalendarDate(year: year, month: month, day: day)?.daysSinceEpoch != count {
                mismatches += 1
            }
        }
        // Forward from 1970-01-01 to 9999-12-31.
        var (year, month, day, count) = (1970, 1, 1, 0)
        while true {
            check(year, month, day, count)
            if (year, month, day) == (9999, 12, 31) { break }
            day += 1
            count += 1
            if day > length(year, month) { day = 1; month += 1 }
            if month > 12 { month = 1; year += 1 }
        }
        #expect(count == 2_932_896)
        // Backward from 1970-01-01 to 0001-01-01.
        (year, month, day, count) = (1970, 1, 1, 0)
        while true {
            check(year, month, day, count)
            if (year, month, day) == (1, 1, 1) { break }
            day -= 1
            count -= 1
            if day == 0 {
                month -= 1
                if month == 0 { month = 12; year -= 1 }
                day = length(year, month)
            }
        }
        #expect(count == -719_162)
        #expect(mismatches == 0)
    }

    @Test("adding days crosses month, leap day and year ends")
    func addingDays() throws {
        let date = try #require(CalendarDate(iso: "2024-02-28"))
        #expect(date.adding(days: 1).description == "2024-02-29")
        #expect(date.adding(days: 2).description == "2024-03-01")
        #expect(try #require(CalendarDate(iso: "2026-12-31")).adding(days: 1).description == "2027-01-01")
        #expect(try #require(CalendarDate(iso: "2027-01-01")).adding(days: -1).description == "2026-12-31")
    }

    @Test("description is zero padded YYYY-MM-DD")
    func description() throws {
        #expect(try #require(CalendarDate(year: 9, month: 3, day: 4)).description == "0009-03-04")
        #expect(try #require(CalendarDate(year: 2026, month: 11, day: 20)).description == "2026-11-20")
    }

    @Test("dates order chronologically")
    func ordering() throws {
        let a = try #require(CalendarDate(iso: "2025-12-31"))
        let b = try #require(CalendarDate(iso: "2026-01-01"))
        let c = try #require(CalendarDate(iso: "2026-01-02"))
        #expect(a < b && b < c && !(b < b))
        #expect([c, a, b].sorted() == [a, b, c])
    }

    @Test("Codable is the YYYY-MM-DD string, and other spellings fail to decode")
    func codable() throws {
        let date = try #require(CalendarDate(iso: "2026-11-20"))
        let json = try JSONEncoder().encode([date])
        #expect(String(decoding: json, as: UTF8.self) == #"["2026-11-20"]"#)
        #expect(try JSONDecoder().decode([CalendarDate].self, from: json) == [date])
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode([CalendarDate].self, from: Data(#"["2026-2-1"]"#.utf8))
        }
    }

    @Test("today is the UTC day of the system clock")
    func today() {
        // Foundation's clock as the independent source; floor of seconds / 86400 is the UTC day.
        let before = Int((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        let today = CalendarDate.today().daysSinceEpoch
        let after = Int((Date().timeIntervalSince1970 / 86_400).rounded(.down))
        #expect(today >= before && today <= after)
    }
}
