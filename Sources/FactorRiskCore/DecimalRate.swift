/// An exact non-negative decimal such as an fx rate (`0.9000`, `1.08215`, `145.3`).
///
/// Rates multiply money, so they must be as exact as money: a `Double` cannot hold `0.9` and would
/// make `fx` off by a cent on some amounts. The value is `mantissa / 10^scale`, both integers, and
/// the text the tenant gave is kept (`0.9000` prints as `0.9000`) so what went in comes back out.
public struct DecimalRate: Sendable, Hashable, CustomStringConvertible {
    /// The digits of the rate as one integer: `0.9000` has mantissa 9000.
    public let mantissa: Int64
    /// How many of the mantissa's digits lie after the point: `0.9000` has scale 4.
    public let scale: Int

    /// The most decimals a rate may have; with at most 18 significant digits the mantissa fits `Int64`.
    public static let maxScale = 12
    /// The most significant digits a rate may have, so the mantissa always fits `Int64`.
    public static let maxSignificantDigits = 18

    /// The rate of the base currency against itself (RULEBOOK §2: "the base currency's rate is 1").
    public static let one = DecimalRate(uncheckedMantissa: 1, scale: 0)

    /// Creates a rate from its parts, or nil when the mantissa is negative or the scale not 0...12.
    ///
    /// For values that were already validated once, e.g. read back from the database.
    public init?(mantissa: Int64, scale: Int) {
        guard mantissa >= 0, (0...Self.maxScale).contains(scale) else { return nil }
        self.init(uncheckedMantissa: mantissa, scale: scale)
    }

    /// Parses a rate with the strict grammar of money, minus the sign: one or more ASCII digits,
    /// then optionally a `.` and 1...12 digits, at most 18 significant digits in all.
    ///
    /// `0` parses (so the import can say "a rate must be above 0" rather than "not a number"); check
    /// `isPositive` before using a rate. Nil for anything else: `-1`, `+1`, `.5`, `5.`, `1e3`, spaces.
    public init?(parsing text: some StringProtocol) {
        let bytes = Array(text.utf8)
        let point = bytes.firstIndex(of: UInt8(ascii: "."))
        let integerDigits = bytes[..<(point ?? bytes.endIndex)]
        let fractionDigits = point.map { bytes[($0 + 1)...] } ?? bytes[bytes.endIndex...]
        guard !integerDigits.isEmpty, integerDigits.allSatisfy(Self.isDigit),
              point == nil || !fractionDigits.isEmpty, fractionDigits.allSatisfy(Self.isDigit),
              fractionDigits.count <= Self.maxScale
        else { return nil }
        let digits = (integerDigits + fractionDigits).drop { $0 == UInt8(ascii: "0") }
        guard digits.count <= Self.maxSignificantDigits else { return nil }
        var mantissa: Int64 = 0
        for byte in digits {
            mantissa = mantissa * 10 + Int64(byte - UInt8(ascii: "0"))
        }
        self.init(uncheckedMantissa: mantissa, scale: fractionDigits.count)
    }

    private init(uncheckedMantissa mantissa: Int64, scale: Int) {
        self.mantissa = mantissa
        self.scale = scale
    }

    /// Whether the rate is above zero: a zero rate would turn every amount into nothing, so the
    /// import refuses it, but parsing alone does not.
    public var isPositive: Bool { mantissa > 0 }

    /// The rate in its normalized text form: no leading zeros, exactly `scale` decimals.
    ///
    /// `0.9000` stays `0.9000` and `007.5` becomes `7.5`, so the text parses back to the same rate.
    public var description: String {
        var divisor: Int64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let integerPart = String(mantissa / divisor)
        guard scale > 0 else { return integerPart }
        let fraction = String(mantissa % divisor)
        return integerPart + "." + String(repeating: "0", count: scale - fraction.count) + fraction
    }

    /// Two rates are equal when their values are: `0.9` and `0.9000` are the same rate.
    public static func == (lhs: DecimalRate, rhs: DecimalRate) -> Bool {
        let common = max(lhs.scale, rhs.scale)
        return Int128(lhs.mantissa) * pow10(common - lhs.scale) == Int128(rhs.mantissa) * pow10(common - rhs.scale)
    }

    /// Hashes the value, not the spelling, consistently with `==`: trailing zeros are dropped first.
    public func hash(into hasher: inout Hasher) {
        var mantissa = mantissa
        var scale = scale
        while scale > 0, mantissa % 10 == 0 {
            mantissa /= 10
            scale -= 1
        }
        hasher.combine(mantissa)
        hasher.combine(scale)
    }

    private static func pow10(_ exponent: Int) -> Int128 {
        var result: Int128 = 1
        for _ in 0..<exponent { result *= 10 }
        return result
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }
}
