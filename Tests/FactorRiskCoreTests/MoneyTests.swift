import Testing
@testable import FactorRiskCore

@Suite("Money")
struct MoneyTests {
    // MARK: parsing

    @Test("EUR (2 minor digits): whole, 1 and 2 decimals, negatives, leading zeros")
    func parseEUR() throws {
        #expect(try Money.parse("1234.56", exponent: 2) == 123_456)
        #expect(try Money.parse("12.5", exponent: 2) == 1_250)       // padded: 12.50
        #expect(try Money.parse("12", exponent: 2) == 1_200)
        #expect(try Money.parse("0.01", exponent: 2) == 1)
        #expect(try Money.parse("0", exponent: 2) == 0)
        #expect(try Money.parse("-0", exponent: 2) == 0)
        #expect(try Money.parse("-40600.00", exponent: 2) == -4_060_000)
        #expect(try Money.parse("007", exponent: 2) == 700)
        #expect(try Money.parse("a,1234.56,b".split(separator: ",")[1], exponent: 2) == 123_456)
    }

    @Test("JPY (0 minor digits): whole numbers only, any '.' is too many decimals")
    func parseJPY() throws {
        #expect(try Money.parse("1234", exponent: 0) == 1_234)
        #expect(try Money.parse("-5", exponent: 0) == -5)
        #expect(throws: MoneyParseError.tooManyDecimals(found: 1, allowed: 0)) {
            try Money.parse("12.0", exponent: 0)
        }
    }

    @Test("KWD (3 minor digits): 1.234 is 1234 fils, 1.2 is 1200, 4 decimals are refused")
    func parseKWD() throws {
        #expect(try Money.parse("1.234", exponent: 3) == 1_234)
        #expect(try Money.parse("1.2", exponent: 3) == 1_200)
        #expect(throws: MoneyParseError.tooManyDecimals(found: 4, allowed: 3)) {
            try Money.parse("1.2345", exponent: 3)
        }
    }

    @Test("three decimals on EUR are refused, naming both counts")
    func tooManyDecimalsEUR() {
        #expect(throws: MoneyParseError.tooManyDecimals(found: 3, allowed: 2)) {
            try Money.parse("12.345", exponent: 2)
        }
        let message = MoneyParseError.tooManyDecimals(found: 3, allowed: 2).description
        #expect(message.contains("3 decimals") && message.contains("allows 2"))
        #expect(MoneyParseError.tooManyDecimals(found: 1, allowed: 0).description.contains("1 decimal,"))
    }

    @Test("an empty amount is refused")
    func parseEmpty() {
        #expect(throws: MoneyParseError.empty) { try Money.parse("", exponent: 2) }
    }

    @Test(
        "characters outside digits, '-' and '.' are refused with their position",
        arguments: [
            ("+5", "+", 0), (" 5", " ", 0), ("5 ", " ", 1), ("1e5", "e", 1), ("1,234.00", ",", 1),
            ("12.3O", "O", 4), ("abc", "a", 0), ("1 000", " ", 1), ("５", "５", 0),
        ] as [(String, Character, Int)]
    )
    func parseInvalidCharacter(text: String, character: Character, offset: Int) {
        #expect(throws: MoneyParseError.invalidCharacter(character, offset: offset)) {
            try Money.parse(text, exponent: 2)
        }
    }

    @Test(
        "digits, '-' and '.' in the wrong shape are not a number",
        arguments: [".5", "5.", "-", ".", "-.5", "1.2.3", "--1", "1-2", "1.-2", "-5."]
    )
    func parseNotANumber(text: String) {
        #expect(throws: MoneyParseError.notANumber(text)) { try Money.parse(text, exponent: 2) }
    }

    @Test("the Int64 range is the limit: ±92233720368547758.07/.08 in EUR")
    func parseRange() throws {
        // Int64.max = 9223372036854775807, Int64.min = -9223372036854775808 minor units.
        #expect(try Money.parse("92233720368547758.07", exponent: 2) == Int64.max)
        #expect(try Money.parse("-92233720368547758.08", exponent: 2) == Int64.min)
        #expect(try Money.parse("0000000000000000000000000000000000000001.00", exponent: 2) == 100)
        for text in ["92233720368547758.08", "-92233720368547758.09", "92233720368547759",
                     String(repeating: "9", count: 60)] {
            #expect(throws: MoneyParseError.outOfRange(text)) { try Money.parse(text, exponent: 2) }
        }
    }

    // MARK: formatting

    @Test("formatting writes exactly the currency's decimals")
    func format() {
        #expect(Money.format(123_450, exponent: 2) == "1234.50")
        #expect(Money.format(-4_060_000, exponent: 2) == "-40600.00")
        #expect(Money.format(0, exponent: 2) == "0.00")
        #expect(Money.format(-5, exponent: 2) == "-0.05")
        #expect(Money.format(1_234, exponent: 0) == "1234")
        #expect(Money.format(1_234, exponent: 3) == "1.234")
        #expect(Money.format(7, exponent: 3) == "0.007")
        #expect(Money.format(12_345, exponent: 4) == "1.2345")
    }

    @Test("grouping puts ',' every three integer digits, after the sign")
    func formatGrouping() {
        #expect(Money.format(123_456_789, exponent: 2, grouping: true) == "1,234,567.89")
        #expect(Money.format(-123_450, exponent: 2, grouping: true) == "-1,234.50")
        #expect(Money.format(99_999, exponent: 2, grouping: true) == "999.99")
        #expect(Money.format(100_000, exponent: 2, grouping: true) == "1,000.00")
        #expect(Money.format(-1_234_567, exponent: 0, grouping: true) == "-1,234,567")
        #expect(Money.format(0, exponent: 0, grouping: true) == "0")
    }

    @Test("Int64.min and Int64.max format without trapping")
    func formatExtremes() {
        #expect(Money.format(Int64.min, exponent: 2) == "-92233720368547758.08")
        #expect(Money.format(Int64.min, exponent: 2, grouping: true) == "-92,233,720,368,547,758.08")
        #expect(Money.format(Int64.max, exponent: 0) == "9223372036854775807")
        #expect(Money.format(Int64.min, exponent: 18) == "-9.223372036854775808")
    }

    @Test("format then parse gives back the same amount")
    func roundTrip() throws {
        for exponent in [0, 2, 3, 4] {
            for minor: Int64 in [0, 1, -1, 9, 10, 999, 1_000, 123_456_789, -987_654_321, Int64.max, Int64.min] {
                #expect(try Money.parse(Money.format(minor, exponent: exponent), exponent: exponent) == minor)
            }
        }
    }

    @Test("random digit strings: the value is the digits read as an integer, scaled to the exponent, or an error when it does not fit or has too many decimals")
    func randomDigitStrings() {
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<20_000 {
            let exponent = Int.random(in: 0...18, using: &generator)
            let integerDigits = (0..<Int.random(in: 1...21, using: &generator)).map { _ in Int.random(in: 0...9, using: &generator) }
            let fractionDigits = (0..<Int.random(in: 0...4, using: &generator)).map { _ in Int.random(in: 0...9, using: &generator) }
            let negative = Bool.random(using: &generator)
            let text = (negative ? "-" : "") + integerDigits.map(String.init).joined()
                + (fractionDigits.isEmpty ? "" : "." + fractionDigits.map(String.init).joined())
            // The expected value, worked out digit by digit in a wider type; past 2^64 it cannot fit anyway.
            var expected: Int128? = 0
            for digit in integerDigits + fractionDigits + Array(repeating: 0, count: max(0, exponent - fractionDigits.count)) {
                expected = expected.flatMap { $0 > Int128(UInt64.max) ? nil : $0 * 10 + Int128(digit) }
            }
            if fractionDigits.count > exponent { expected = nil }
            if let value = expected, negative { expected = -value }
            if let value = expected, Int64(exactly: value) == nil { expected = nil }
            let parsed = try? Money.parse(text, exponent: exponent)
            let got: Int128? = parsed.map { Int128($0) }
            #expect(got == expected, "\(text) with exponent \(exponent)")
        }
    }
}
