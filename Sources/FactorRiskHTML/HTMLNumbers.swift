import FactorRiskCore

/// Integer-only formatting and scaling of the report's figures.
enum HTMLNumbers {
    /// Basis points as a percentage with two decimals: 8333 → "83.33 %"; nil (a zero denominator) → "—".
    static func percent(bp: Int64?) -> String {
        guard let bp else { return "—" }
        return Money.format(bp, exponent: 2, grouping: true) + " %"
    }

    /// Parts per million as an exact percentage: 475278 → "47.5278 %".
    static func percent(ppm: Int64?) -> String {
        guard let ppm else { return "—" }
        return Money.format(ppm, exponent: 4, grouping: true) + " %"
    }

    /// A whole percentage for axis ticks: 2500 bp → "25 %" (ticks are whole percents).
    static func wholePercent(bp: Int64) -> String { integer(bp / 100) + " %" }

    /// A count or an integer figure with thousands separators.
    static func integer(_ value: Int64) -> String { Money.format(value, exponent: 0, grouping: true) }
    static func integer(_ value: Int) -> String { integer(Int64(value)) }

    /// `value` of `maximum` as a length of `length` pixels, 0 for values at or below 0, `length` at or above the maximum.
    static func scaled(_ value: Int64, of maximum: Int64, to length: Int) -> Int {
        guard maximum > 0, value > 0 else { return 0 }
        return Int(Int128(min(value, maximum)) * Int128(length) / Int128(maximum))
    }
}
