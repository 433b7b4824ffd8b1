import Testing
@testable import FactorRiskCore

@Suite("Rulebook arithmetic")
struct RulebookTests {
    private func rate(_ text: String) throws -> DecimalRate {
        try #require(DecimalRate(parsing: text))
    }

    @Test("fx of the worked example: USD 50,000.00 at 0.9000 is EUR 45,000.00")
    func fxWorkedExample() throws {
        // 5000000 × 9000 × 10^2 / (10^2 × 10^4) = 4500000 minor units = 45,000.00 EUR.
        #expect(Rulebook.fx(amountMinor: 5_000_000, currencyExponent: 2, rate: try rate("0.9000"), baseExponent: 2)
            == 4_500_000)
    }

    @Test("fx rounds half away from zero: 0.5 → 1, -0.5 → -1, 0.49 → 0, 0.51 → 1")
    func fxRounding() throws {
        // JPY 1 at 0.005 into EUR: 1 × 5 × 10^2 / (10^0 × 10^3) = 0.5 cent → 1.
        #expect(Rulebook.fx(amountMinor: 1, currencyExponent: 0, rate: try rate("0.005"), baseExponent: 2) == 1)
        // A credit note of JPY -1: -0.5 cent → -1, the mirror of its invoice.
        #expect(Rulebook.fx(amountMinor: -1, currencyExponent: 0, rate: try rate("0.005"), baseExponent: 2) == -1)
        // JPY 1 at 0.0049: 1 × 49 × 10^2 / 10^4 = 0.49 cent → 0.
        #expect(Rulebook.fx(amountMinor: 1, currencyExponent: 0, rate: try rate("0.0049"), baseExponent: 2) == 0)
        #expect(Rulebook.fx(amountMinor: -1, currencyExponent: 0, rate: try rate("0.0049"), baseExponent: 2) == 0)
        // JPY 1 at 0.0051: 0.51 cent → 1.
        #expect(Rulebook.fx(amountMinor: 1, currencyExponent: 0, rate: try rate("0.0051"), baseExponent: 2) == 1)
        // JPY 3 at 0.005: 1.5 cents → 2 (not banker's 2, nor truncated 1: half away from zero).
        #expect(Rulebook.fx(amountMinor: 3, currencyExponent: 0, rate: try rate("0.005"), baseExponent: 2) == 2)
        // JPY 5 at 0.005: 2.5 cents → 3 (banker's rounding would give 2).
        #expect(Rulebook.fx(amountMinor: 5, currencyExponent: 0, rate: try rate("0.005"), baseExponent: 2) == 3)
    }

    @Test("fx between exponents: EUR into JPY, USD into KWD, JPY into EUR, the base itself")
    func fxExponents() throws {
        // EUR 1.00 at 145.3 into JPY: 100 × 1453 × 10^0 / (10^2 × 10^1) = 145.3 → 145 yen.
        #expect(Rulebook.fx(amountMinor: 100, currencyExponent: 2, rate: try rate("145.3"), baseExponent: 0) == 145)
        // USD 10.00 at 0.30712 into KWD: 1000 × 30712 × 10^3 / (10^2 × 10^5) = 3071.2 → 3071 fils.
        #expect(Rulebook.fx(amountMinor: 1_000, currencyExponent: 2, rate: try rate("0.30712"), baseExponent: 3)
            == 3_071)
        // JPY 7 at 2 into EUR: 7 × 2 × 10^2 / (10^0 × 10^0) = 1400 cents (a positive power of ten).
        #expect(Rulebook.fx(amountMinor: 7, currencyExponent: 0, rate: try rate("2"), baseExponent: 2) == 1_400)
        // The base currency at rate 1 is unchanged.
        #expect(Rulebook.fx(amountMinor: -123_456, currencyExponent: 2, rate: .one, baseExponent: 2) == -123_456)
    }

    @Test("fxChecked reports results beyond Int64 as nil instead of trapping")
    func fxOverflow() throws {
        // Int64.max yen at 145.3 into EUR: about 9.2e18 × 145.3 × 100 ≈ 1.3e23 cents > Int64.max.
        #expect(Rulebook.fxChecked(amountMinor: .max, currencyExponent: 0, rate: try rate("145.3"), baseExponent: 2)
            == nil)
        // The numerator itself overflows Int128: 9.2e18 × (1e18 - 1) × 10^18 ≈ 9.2e54.
        let huge = try rate("999999999999999999")
        #expect(Rulebook.fxChecked(amountMinor: .min, currencyExponent: 0, rate: huge, baseExponent: 18) == nil)
        // The largest amounts still convert when the result fits: Int64.min at 1 stays Int64.min.
        #expect(Rulebook.fxChecked(amountMinor: .min, currencyExponent: 2, rate: .one, baseExponent: 2) == .min)
        // Int64.max cents at 0.5: 4611686018427387903.5 → 4611686018427387904 (half away from zero).
        #expect(Rulebook.fxChecked(amountMinor: .max, currencyExponent: 2, rate: try rate("0.5"), baseExponent: 2)
            == 4_611_686_018_427_387_904)
    }

    @Test("pct floors x × bp / 10000, for negatives too")
    func pct() {
        // C1's cap in the worked example: 30 % of 110,000.00 = 33,000.00.
        #expect(Rulebook.pct(11_000_000, 3_000) == 3_300_000)
        // Holdback 10 % of 66,000.00 = 6,600.00.
        #expect(Rulebook.pct(6_600_000, 1_000) == 660_000)
        // 33333 × 3000 / 10000 = 9999.9 → 9999.
        #expect(Rulebook.pct(33_333, 3_000) == 9_999)
        // -1 × 5000 / 10000 = -0.5 → floor -1, not the truncated 0.
        #expect(Rulebook.pct(-1, 5_000) == -1)
        #expect(Rulebook.pct(0, 15_000) == 0)
        // Int64.max × 10000 / 10000 exactly: the Int128 product does not overflow.
        #expect(Rulebook.pct(.max, 10_000) == .max)
        #expect(Rulebook.pct(.min, 10_000) == .min)
    }

    @Test("ratioBP floors a × 10000 / b and is nil for a zero denominator")
    func ratioBP() {
        // D1 in the worked example: 125,000 of 150,000 = 0.83333… → 8333 bp.
        #expect(Rulebook.ratioBP(12_500_000, 15_000_000) == 8_333)
        // G1: 155,000 of own funds 1,000,000 = 1550 bp.
        #expect(Rulebook.ratioBP(15_500_000, 100_000_000) == 1_550)
        #expect(Rulebook.ratioBP(5, 0) == nil)
        #expect(Rulebook.ratioBP(0, 0) == nil)
        #expect(Rulebook.ratioBP(0, 7) == 0)
        // -1 × 10000 / 3 = -3333.3… → -3334.
        #expect(Rulebook.ratioBP(-1, 3) == -3_334)
    }

    @Test("ratioBP saturates instead of trapping when the ratio exceeds Int64")
    func ratioBPSaturates() {
        #expect(Rulebook.ratioBP(.max, 1) == .max)
        #expect(Rulebook.ratioBP(.min, 1) == .min)
        #expect(Rulebook.ratioBP(.max, -1) == .min)
    }

    @Test("floorDivide is a true floor for every combination of signs")
    func floorDivide() {
        #expect(Rulebook.floorDivide(7, 2) == 3)      //  3.5 →  3
        #expect(Rulebook.floorDivide(-7, 2) == -4)    // -3.5 → -4
        #expect(Rulebook.floorDivide(7, -2) == -4)    // -3.5 → -4
        #expect(Rulebook.floorDivide(-7, -2) == 3)    //  3.5 →  3
        #expect(Rulebook.floorDivide(-8, 2) == -4)    // exact
        #expect(Rulebook.floorDivide(0, -5) == 0)
    }

    @Test("divideRoundingHalfAwayFromZero rounds halves away from zero for every sign")
    func halfAwayFromZero() {
        #expect(Rulebook.divideRoundingHalfAwayFromZero(5, 10) == 1)      //  0.5  →  1
        #expect(Rulebook.divideRoundingHalfAwayFromZero(-5, 10) == -1)    // -0.5  → -1
        #expect(Rulebook.divideRoundingHalfAwayFromZero(5, -10) == -1)    // -0.5  → -1
        #expect(Rulebook.divideRoundingHalfAwayFromZero(-5, -10) == 1)    //  0.5  →  1
        #expect(Rulebook.divideRoundingHalfAwayFromZero(49, 100) == 0)    //  0.49 →  0
        #expect(Rulebook.divideRoundingHalfAwayFromZero(-49, 100) == 0)   // -0.49 →  0
        #expect(Rulebook.divideRoundingHalfAwayFromZero(51, 100) == 1)    //  0.51 →  1
        #expect(Rulebook.divideRoundingHalfAwayFromZero(25, 10) == 3)     //  2.5  →  3, not 2
        #expect(Rulebook.divideRoundingHalfAwayFromZero(-25, 10) == -3)   // -2.5  → -3
        #expect(Rulebook.divideRoundingHalfAwayFromZero(7, 1) == 7)
        // (2^127 - 1) / 2 = 2^126 - 0.5 → 2^126, without overflowing on the way.
        #expect(Rulebook.divideRoundingHalfAwayFromZero(.max, 2) == Int128(1) << 126)
        #expect(Rulebook.divideRoundingHalfAwayFromZero(.max, .max) == 1)
        #expect(Rulebook.divideRoundingHalfAwayFromZero(.min, .max) == -1)   // -(1 + 1/(2^127-1)) → -1
    }
}
