import Testing
@testable import FactorRiskCore

@Suite("DecimalRate")
struct DecimalRateTests {
    @Test(
        "rates parse to mantissa and scale and print back as given",
        arguments: [
            ("0.9000", 9_000, 4), ("1.08215", 108_215, 5), ("145.3", 1_453, 1), ("1", 1, 0),
            ("0.000000000001", 1, 12), ("123456789012345678", 123_456_789_012_345_678, 0),
            ("0.123456789012", 123_456_789_012, 12),
        ] as [(String, Int64, Int)]
    )
    func parse(text: String, mantissa: Int64, scale: Int) throws {
        let rate = try #require(DecimalRate(parsing: text))
        #expect(rate.mantissa == mantissa && rate.scale == scale)
        #expect(rate.description == text)
        #expect(rate.isPositive)
    }

    @Test("leading zeros are normalized away, the scale is kept")
    func normalized() throws {
        #expect(try #require(DecimalRate(parsing: "007.50")).description == "7.50")
        #expect(try #require(DecimalRate(parsing: "00.0100")).description == "0.0100")
    }

    @Test("zero parses but is not positive")
    func zero() throws {
        let zero = try #require(DecimalRate(parsing: "0.0000"))
        #expect(!zero.isPositive)
        #expect(zero.description == "0.0000")
        #expect(zero == DecimalRate(parsing: "0"))
    }

    @Test(
        "anything but digits with an optional point and 1...12 decimals is refused",
        arguments: [
            "", "-1", "+1", ".5", "5.", "1e3", " 1", "1 ", "1,5", "1.2.3", "-0.9",
            "0.0000000000001",               // 13 decimals
            "1234567890123456789",           // 19 significant digits
            "1234567.123456789012",          // 7 + 12 = 19 significant digits
        ]
    )
    func rejections(text: String) {
        #expect(DecimalRate(parsing: text) == nil)
    }

    @Test("equal values are equal rates and hash alike, whatever their scale")
    func valueEquality() throws {
        let short = try #require(DecimalRate(parsing: "0.9"))
        let long = try #require(DecimalRate(parsing: "0.9000"))
        #expect(short == long)
        #expect(Set([short, long]).count == 1)
        #expect(short != DecimalRate(parsing: "0.9001"))
        #expect(DecimalRate.one == DecimalRate(parsing: "1.000"))
    }

    @Test("the memberwise initializer refuses negative mantissas and scales beyond 12")
    func memberwise() {
        #expect(DecimalRate(mantissa: 9_000, scale: 4)?.description == "0.9000")
        #expect(DecimalRate(mantissa: -1, scale: 0) == nil)
        #expect(DecimalRate(mantissa: 1, scale: 13) == nil)
        #expect(DecimalRate(mantissa: 1, scale: -1) == nil)
    }
}
