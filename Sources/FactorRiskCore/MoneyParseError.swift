/// Why a money string was refused, precise enough for an import to tell a person what to fix.
///
/// FORMATS.md asks a bad row's error to say what is wrong ("three decimals on EUR"); each case
/// carries the numbers that sentence needs, and `description` writes it.
public enum MoneyParseError: Sendable, Error, Equatable, CustomStringConvertible {
    /// The text was empty: a required amount is missing.
    case empty
    /// A character that never appears in an amount (a `+`, a space, an `e`, a `,` ...), with its
    /// 0-based offset, so the message can point at it.
    case invalidCharacter(Character, offset: Int)
    /// Only valid characters, but not in the shape `-123.45` (`.5`, `5.`, `-`, `1.2.3`, `1-2`).
    case notANumber(String)
    /// More digits after the point than the currency has minor digits (`12.345` in EUR).
    case tooManyDecimals(found: Int, allowed: Int)
    /// The amount is too large (or too negative) for 64-bit minor units.
    case outOfRange(String)

    /// A sentence a person can act on, e.g. "3 decimals, the currency allows 2".
    public var description: String {
        switch self {
        case .empty:
            "empty amount: expected digits such as 1234.56"
        case .invalidCharacter(let character, let offset):
            "invalid character '\(character)' at position \(offset + 1): an amount is digits, "
                + "an optional leading '-' and an optional '.', with no spaces, '+', exponent or thousands separators"
        case .notANumber(let text):
            "'\(text)' is not an amount: expected digits with an optional leading '-' and "
                + "digits on both sides of an optional '.', such as 1234.56"
        case .tooManyDecimals(let found, let allowed):
            "\(found) decimal\(found == 1 ? "" : "s"), the currency allows "
                + (allowed == 0 ? "none (no '.')" : "\(allowed)")
        case .outOfRange(let text):
            "'\(text)' is out of range: at most 19 digits of minor units (about ±9.2 × 10^18)"
        }
    }
}
