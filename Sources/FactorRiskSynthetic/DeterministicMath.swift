/// `log` and `exp` built only from IEEE-754 basic operations, so they give bit-identical results
/// on every platform.
///
/// The C library's `log`/`exp` are not correctly rounded and differ in the last bit between glibc,
/// musl and Darwin; one differing bit in a sampled amount can round to another cent and break the
/// promise that a seed gives the same bundle everywhere. These versions are accurate to a few ulps,
/// which is far more than a random sample needs, and exactly reproducible.
enum DeterministicMath {
    static let ln2 = 0.693_147_180_559_945_309_417_232_121_458

    /// The natural logarithm of a positive, finite, normal `x`.
    static func log(_ x: Double) -> Double {
        precondition(x > 0 && x.isFinite, "log of \(x)")
        var exponent = Double(Int(x.exponent))
        var mantissa = x.significand // [1, 2), exact
        if mantissa > 1.414_213_562_373_095_1 {
            mantissa /= 2 // exact
            exponent += 1
        }
        // ln m = 2 atanh(t) = 2 (t + t³/3 + t⁵/5 + ... + t²³/23): |t| ≤ 0.172, so t²⁴ < 10⁻¹⁸.
        let t = (mantissa - 1) / (mantissa + 1)
        let t2 = t * t
        var series = 1.0 / 23
        for reciprocal in logReciprocals {
            series = reciprocal + t2 * series
        }
        let sum = t * series
        return exponent * ln2 + 2 * sum
    }

    /// `e^x`; 0 far below the smallest double, infinity above the largest.
    static func exp(_ x: Double) -> Double {
        if x > 709.7 { return .infinity }
        if x < -745 { return 0 }
        let k = (x / ln2).rounded()
        let r = x - k * ln2 // |r| ≤ 0.35
        // Taylor series to r¹⁴/14! in Horner form: |r| ≤ 0.35, so the next term is below 10⁻¹⁸.
        var sum = 1.0 / 87_178_291_200 // 1/14!
        for coefficient in expCoefficients {
            sum = coefficient + r * sum
        }
        return Double(sign: .plus, exponent: Int(k), significand: sum)
    }

    /// 1/21, 1/19, ..., 1/3, 1: the odd reciprocals of the atanh series, highest first.
    private static let logReciprocals: [Double] = stride(from: 21.0, through: 1, by: -2).map { 1 / $0 }

    /// 1/13!, 1/12!, ..., 1/1!, 1/0!: the Taylor coefficients of `e^r`, highest first.
    private static let expCoefficients: [Double] = {
        var factorials: [Double] = [1]
        for n in 1...13 { factorials.append(factorials[n - 1] * Double(n)) }
        return factorials.reversed().map { 1 / $0 }
    }()

    /// `x^y` for a positive `x`.
    static func pow(_ x: Double, _ y: Double) -> Double {
        exp(y * log(x))
    }
}
