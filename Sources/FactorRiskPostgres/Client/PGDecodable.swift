import FactorRiskCore

/// Why a cell's text could not become the Swift value asked for.
public struct PGDecodingFailure: Error, Sendable {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
}

/// PostgreSQL type OIDs that our decoders check against (pg_type.oid).
public enum PGType {
    public static let bool: UInt32 = 16
    public static let name: UInt32 = 19
    public static let int8: UInt32 = 20
    public static let int2: UInt32 = 21
    public static let int4: UInt32 = 23
    public static let text: UInt32 = 25
    public static let oid: UInt32 = 26
    public static let bpchar: UInt32 = 1042
    public static let varchar: UInt32 = 1043
    public static let date: UInt32 = 1082
    public static let numeric: UInt32 = 1700
    public static let nameArray: UInt32 = 1003
    public static let bpcharArray: UInt32 = 1014
    public static let varcharArray: UInt32 = 1015
    public static let textArray: UInt32 = 1009

    static let integers: Set<UInt32> = [int2, int4, int8, oid]
    static let stringArrays: Set<UInt32> = [textArray, varcharArray, bpcharArray, nameArray]
}

/// A Swift type that can be read from a cell of a result in text format.
///
/// Decoders check the column's type, so that reading a `text` column as an integer is an error
/// naming the column, not a silently wrong value.
public protocol PGDecodable {
    /// Decodes the cell's text. `type` is the column's type OID.
    static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> Self
    /// The value for SQL NULL, or nil when NULL is not acceptable (only `Optional` has one).
    static var pgNull: Self? { get }
}

extension PGDecodable {
    public static var pgNull: Self? { nil }
}

extension Optional: PGDecodable where Wrapped: PGDecodable {
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> Wrapped? {
        try Wrapped.decode(pgText: bytes, type: type)
    }

    public static var pgNull: Wrapped?? { .some(nil) }
}

extension String: PGDecodable {
    /// Any column can be read as its text representation.
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> String {
        String(decoding: bytes, as: UTF8.self)
    }
}

extension Int64: PGDecodable {
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> Int64 {
        guard PGType.integers.contains(type) else {
            throw PGDecodingFailure("type OID \(type) is not an integer type")
        }
        return try parseInteger(bytes)
    }

    /// Parses an optionally signed run of ASCII digits, refusing overflow.
    static func parseInteger(_ bytes: UnsafeRawBufferPointer) throws -> Int64 {
        var index = 0
        var negative = false
        if bytes.count > 0, bytes[0] == UInt8(ascii: "-") {
            negative = true
            index = 1
        }
        guard index < bytes.count else { throw PGDecodingFailure("empty integer") }
        var value: Int64 = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard byte >= 48, byte <= 57 else {
                throw PGDecodingFailure("\"\(String(decoding: bytes, as: UTF8.self))\" is not an integer")
            }
            let digit = Int64(byte - 48)
            let (times, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (next, overflow2) = negative
                ? times.subtractingReportingOverflow(digit) : times.addingReportingOverflow(digit)
            guard !overflow1, !overflow2 else { throw PGDecodingFailure("integer out of range") }
            value = next
            index += 1
        }
        return value
    }
}

extension Int: PGDecodable {
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> Int {
        Int(try Int64.decode(pgText: bytes, type: type))
    }
}

extension Int32: PGDecodable {
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> Int32 {
        let value = try Int64.decode(pgText: bytes, type: type)
        guard let narrow = Int32(exactly: value) else { throw PGDecodingFailure("\(value) does not fit in Int32") }
        return narrow
    }
}

extension Bool: PGDecodable {
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> Bool {
        guard type == PGType.bool else { throw PGDecodingFailure("type OID \(type) is not boolean") }
        switch bytes.first {
        case UInt8(ascii: "t"): return true
        case UInt8(ascii: "f"): return false
        default: throw PGDecodingFailure("\"\(String(decoding: bytes, as: UTF8.self))\" is not a boolean")
        }
    }
}

extension CalendarDate: PGDecodable {
    /// Dates arrive as `YYYY-MM-DD`: every connection sets `DateStyle = ISO`.
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> CalendarDate {
        guard type == PGType.date else { throw PGDecodingFailure("type OID \(type) is not date") }
        let text = String(decoding: bytes, as: UTF8.self)
        guard let date = CalendarDate(iso: text) else {
            throw PGDecodingFailure("\"\(text)\" is not a calendar date between years 1 and 9999")
        }
        return date
    }
}

extension Array: PGDecodable where Element == String {
    /// A one-dimensional `text[]` (or `varchar[]`, `char[]`, `name[]`) from PostgreSQL's array text form,
    /// so a column of refs or codes is read as written, whatever characters the elements hold.
    ///
    /// The server quotes an element when it is empty, is `NULL` as a word, or holds a brace, comma,
    /// quote, backslash or white space, and escapes `"` and `\` inside quotes with a backslash. A NULL
    /// element or a second dimension is an error: no column of ours holds either, so one is a bug.
    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> [String] {
        guard PGType.stringArrays.contains(type) else {
            throw PGDecodingFailure("type OID \(type) is not an array of text")
        }
        var reader = PGArrayText(bytes)
        return try reader.elements()
    }
}

/// An exact decimal as PostgreSQL's `numeric` writes it, kept as text so that no digit is lost.
///
/// Never a floating-point value: convert with `minorUnits(exponent:)` or keep the text.
public struct PGNumeric: Sendable, Hashable, CustomStringConvertible, PGDecodable, PGBindable {
    /// The decimal text, e.g. `"0.900000000000"` or `"-12.5"`.
    public let text: String

    public init(_ text: String) { self.text = text }

    public var description: String { text }
    public var pgText: String { text }

    public static func decode(pgText bytes: UnsafeRawBufferPointer, type: UInt32) throws -> PGNumeric {
        guard type == PGType.numeric || PGType.integers.contains(type) else {
            throw PGDecodingFailure("type OID \(type) is not numeric")
        }
        return PGNumeric(String(decoding: bytes, as: UTF8.self))
    }
}
