/// The integer functions of RULEBOOK.md §2, shared by every computation of the rulebook.
///
/// Each one is exact: products are taken in `Int128`, so `x × bp` or `amount × rate × 10^exp`
/// cannot overflow before the division, and every rounding is the one the rulebook names (a true
/// floor, or half away from zero), not whatever `/` on signed integers happens to do.
public enum Rulebook {
    /// `pct(x, bp) = floor(x × bp / 10000)`: the part of `x` that `bp` basis points make
    /// (1 bp = 0.01 %), e.g. a holdback or a concentration cap.
    ///
    /// Floored, so a percentage of money never creates a cent that was not there; the floor is a
    /// true floor for negatives too (`pct(-1, 5000)` is -1, not 0). Traps if the result leaves
    /// `Int64`, which needs `bp` above 10000 and an amount beyond any ledger.
    public static func pct(_ x: Int64, _ bp: Int64) -> Int64 {
        let result = floorDivide(Int128(x) * Int128(bp), 10_000)
        guard let value = Int64(exactly: result) else {
            preconditionFailure("pct(\(x), \(bp)) does not fit in Int64")
        }
        return value
    }

    /// `ratio_bp(a, b) = floor(a × 10000 / b)`, and nil when `b` is 0: a utilization or a share in
    /// basis points, with "no denominator" kept apart from "0 %" (reports print it as `null`).
    ///
    /// A ratio too large for `Int64` (only with a denominator of a few minor units against an
    /// enormous numerator) saturates at `Int64.max` / `Int64.min`: it is a ratio, not money, and
    /// a saturated one still compares above every threshold it is checked against.
    public static func ratioBP(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0 else { return nil }
        let result = floorDivide(Int128(a) * 10_000, Int128(b))
        return Int64(exactly: result) ?? (result > 0 ? Int64.max : Int64.min)
    }

    /// `n / d` rounded to the nearest integer, halves away from zero (2.5 → 3, -2.5 → -3).
    ///
    /// The rounding RULEBOOK §2 prescribes for fx: symmetric for debits and credits, so a credit
    /// note converts to exactly minus its invoice. `d` must not be 0; either sign is fine.
    public static func divideRoundingHalfAwayFromZero(_ n: Int128, _ d: Int128) -> Int128 {
        precondition(d != 0, "division by zero")
        let quotient = n / d            // truncated toward zero
        let remainder = n % d           // has the sign of n
        // |r| ≥ |d| - |r| is 2|r| ≥ |d| without the overflow of doubling.
        guard remainder.magnitude >= d.magnitude - remainder.magnitude else { return quotient }
        return (n < 0) == (d < 0) ? quotient + 1 : quotient - 1
    }

    /// `floor(a / b)`: the largest integer not above the exact quotient, for any signs.
    ///
    /// Swift's `/` truncates toward zero (-7 / 2 = -3); the rulebook's floors mean -4.
    /// `b` must not be 0.
    public static func floorDivide(_ a: Int128, _ b: Int128) -> Int128 {
        precondition(b != 0, "division by zero")
        let quotient = a / b
        return (a % b != 0) && ((a < 0) != (b < 0)) ? quotient - 1 : quotient
    }

    /// `fx(amount, cur) = amount / 10^exp(cur) × rate × 10^exp(base)`, rounded half away from zero
    /// to a whole minor unit of the base currency (RULEBOOK §2).
    ///
    /// Computed exactly as `round(amount × mantissa × 10^baseExp / (10^curExp × 10^scale))` in
    /// `Int128`: USD 50,000.00 (5000000) at 0.9000 into EUR is 5000000 × 9000 × 10^2 / (10^2 × 10^4)
    /// = 4500000, i.e. 45,000.00. Traps when the result does not fit `Int64`; use `fxChecked` where
    /// the amount and rate come from outside and an overflow must be reported, not crash.
    public static func fx(
        amountMinor: Int64,
        currencyExponent: Int,
        rate: DecimalRate,
        baseExponent: Int
    ) -> Int64 {
        guard let value = fxChecked(
            amountMinor: amountMinor, currencyExponent: currencyExponent,
            rate: rate, baseExponent: baseExponent
        ) else {
            preconditionFailure("fx of \(amountMinor) at \(rate) does not fit in Int64 minor units")
        }
        return value
    }

    /// `fx`, or nil when the converted amount does not fit `Int64` minor units.
    ///
    /// The powers of ten are cancelled before multiplying, so `amount × mantissa` (below 2^126)
    /// is the only large product, and a numerator that would overflow `Int128` can only belong to a
    /// result far outside `Int64`.
    public static func fxChecked(
        amountMinor: Int64,
        currencyExponent: Int,
        rate: DecimalRate,
        baseExponent: Int
    ) -> Int64? {
        precondition((0...Money.maxExponent).contains(currencyExponent), "currency exponent out of range")
        precondition((0...Money.maxExponent).contains(baseExponent), "base exponent out of range")
        let product = Int128(amountMinor) * Int128(rate.mantissa)
        let shift = baseExponent - currencyExponent - rate.scale    // net power of ten
        let result: Int128
        if shift >= 0 {
            let (scaled, overflow) = product.multipliedReportingOverflow(by: pow10(shift))
            guard !overflow else { return nil }
            result = scaled
        } else {
            // -shift ≤ 18 + 12 = 30, and 10^30 < Int128.max.
            result = divideRoundingHalfAwayFromZero(product, pow10(-shift))
        }
        return Int64(exactly: result)
    }

    /// 10^exponent for 0 ≤ exponent ≤ 38, the powers `Int128` holds.
    static func pow10(_ exponent: Int) -> Int128 {
        precondition((0...38).contains(exponent), "10^\(exponent) does not fit in Int128")
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }
}
