/// Conversions between exact decimal money strings and integer minor units.
///
/// Money is never a `Double`: `0.1 + 0.2` must be `0.3` to the cent, and a report must add up to
/// the last cent of the ledger. Amounts live as `Int64` minor units of their currency (FORMATS.md),
/// and these two functions are the only way text becomes an amount and back.
public enum Money {
    /// The largest exponent the conversions accept: `10^18` is the largest power of ten in `Int64`.
    public static let maxExponent = 18

    /// The largest amount the service takes in, in minor units of its currency: sixteen nines
    /// (99,999,999,999,999.99 EUR, 9,999,999,999,999,999 JPY, 9,999,999,999,999.999 KWD).
    /// Sums are kept in 64 bits (9,223,372,036,854,775,807): it takes more than 922 amounts at
    /// this ceiling on one sum to pass that, which the engine then reports for the tenant alone.
    public static let largestAmount: Int64 = 9_999_999_999_999_999

    /// Why `minor` (parsed from `text`) is not an amount the service takes in, or nil when it is.
    public static func refusal(_ minor: Int64, text: some StringProtocol, exponent: Int) -> String? {
        if minor < 0 { return "\(text) is negative" }
        if minor > largestAmount { return "\(text) is above the largest amount, \(format(largestAmount, exponent: exponent))" }
        return nil
    }

    /// Parses an exact decimal amount into minor units of a currency with `exponent` minor digits.
    ///
    /// The grammar is strict because the import must reject, not guess: an optional `-`, one or
    /// more ASCII digits, then optionally a `.` and 1...exponent digits (fewer are padded, so
    /// `12.5` EUR is 1250). `+`, spaces, `1e5`, `1,234.00`, `.5` and `5.` are refused, and so is
    /// any `.` when the currency has no minor unit (JPY `12.0`): a stray decimal is a sign the
    /// amount was written for another currency.
    public static func parse(
        _ text: some StringProtocol,
        exponent: Int
    ) throws(MoneyParseError) -> Int64 {
        precondition((0...maxExponent).contains(exponent), "exponent \(exponent) is outside 0...\(maxExponent)")
        let string = String(text)
        guard !string.isEmpty else { throw .empty }
        // The common case in one pass over the bytes; anything else (an error to explain, a value
        // near the limits) takes the careful path below.
        if let minor = parsePlain(string.utf8, exponent: exponent) { return minor }

        // First the characters, so the message points at the first offending one.
        for (offset, character) in string.enumerated() {
            guard let ascii = character.asciiValue,
                  isDigit(ascii) || ascii == UInt8(ascii: "-") || ascii == UInt8(ascii: ".")
            else { throw .invalidCharacter(character, offset: offset) }
        }
        let bytes = Array(string.utf8)

        // Then the shape: -?digits(.digits)?
        let negative = bytes[0] == UInt8(ascii: "-")
        let body = negative ? bytes[1...] : bytes[0...]
        let point = body.firstIndex(of: UInt8(ascii: "."))
        let integerDigits = body[body.startIndex..<(point ?? body.endIndex)]
        let fractionDigits = point.map { body[($0 + 1)...] } ?? body[body.endIndex...]
        guard !integerDigits.isEmpty, integerDigits.allSatisfy(isDigit),
              point == nil || !fractionDigits.isEmpty, fractionDigits.allSatisfy(isDigit)
        else { throw .notANumber(string) }
        guard fractionDigits.count <= exponent else {
            throw .tooManyDecimals(found: fractionDigits.count, allowed: exponent)
        }

        // Then the value, in Int128 so that Int64.min itself parses; stop as soon as it is too big.
        let limit = Int128(Int64.max) + 1
        var magnitude: Int128 = 0
        for byte in integerDigits + fractionDigits {
            magnitude = magnitude * 10 + Int128(byte - UInt8(ascii: "0"))
            if magnitude > limit { throw .outOfRange(string) }
        }
        for _ in fractionDigits.count..<exponent {
            magnitude *= 10
            if magnitude > limit { throw .outOfRange(string) }
        }
        let value = negative ? -magnitude : magnitude
        guard let minor = Int64(exactly: value) else { throw .outOfRange(string) }
        return minor
    }

    /// `parse` of an amount given as UTF-8 bytes (a field lent by the CSV reader).
    public static func parse(utf8 bytes: UnsafeBufferPointer<UInt8>, exponent: Int) throws(MoneyParseError) -> Int64 {
        precondition((0...maxExponent).contains(exponent), "exponent \(exponent) is outside 0...\(maxExponent)")
        if let minor = parsePlain(bytes, exponent: exponent) { return minor }
        return try parse(String(decoding: bytes, as: UTF8.self), exponent: exponent)
    }

    /// `-?digits(.digits)?` with at most `exponent` decimals, as minor units, when the result has
    /// at most 18 digits (so that no overflow is possible); nil for anything else.
    private static func parsePlain(_ bytes: some Sequence<UInt8>, exponent: Int) -> Int64? {
        var value: Int64 = 0
        var digits = 0
        var decimals = 0
        var negative = false
        var seenPoint = false
        var index = 0
        for byte in bytes {
            defer { index += 1 }
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digits += 1
                if seenPoint { decimals += 1 }
                guard digits <= 18, decimals <= exponent else { return nil }
                value = value * 10 + Int64(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "-") where index == 0:
                negative = true
            case UInt8(ascii: ".") where !seenPoint && digits > 0:
                seenPoint = true
            default:
                return nil
            }
        }
        guard digits > 0, !seenPoint || decimals > 0, digits - decimals + exponent <= 18 else { return nil }
        for _ in decimals..<exponent { value *= 10 }
        return negative ? -value : value
    }

    /// Formats minor units as an exact decimal string with exactly `exponent` decimals.
    ///
    /// The output is the one FORMATS.md fixes for JSON and CSV (`1234.50`, JPY `1234`, KWD `1.234`),
    /// and parses back to the same amount. `grouping` adds `,` every three integer digits
    /// (`1,234,567.89`) for tables people read; it is never used for machine formats.
    /// `Int64.min` is formatted through its magnitude, so no amount traps.
    public static func format(_ minor: Int64, exponent: Int, grouping: Bool = false) -> String {
        precondition((0...maxExponent).contains(exponent), "exponent \(exponent) is outside 0...\(maxExponent)")
        var divisor: UInt64 = 1
        for _ in 0..<exponent { divisor *= 10 }
        let magnitude = minor.magnitude
        var integerPart = String(magnitude / divisor)
        if grouping {
            integerPart = group(integerPart)
        }
        var result = minor < 0 ? "-" + integerPart : integerPart
        if exponent > 0 {
            let fraction = String(magnitude % divisor)
            result += "." + String(repeating: "0", count: exponent - fraction.count) + fraction
        }
        return result
    }

    private static func isDigit(_ byte: UInt8) -> Bool {
        byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")
    }

    /// Inserts `,` between groups of three digits, counting from the right.
    private static func group(_ digits: String) -> String {
        var result = ""
        for (index, digit) in digits.enumerated() {
            if index > 0, (digits.count - index) % 3 == 0 { result.append(",") }
            result.append(digit)
        }
        return result
    }
}
