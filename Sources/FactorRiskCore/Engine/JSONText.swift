/// A JSON value whose objects keep their keys in the order given, written as text.
///
/// Reports list fields in the order FORMATS.md gives them, so people reading the JSON find
/// them where the documentation puts them. Integers only: money travels as strings.
public indirect enum JSONText: Sendable, Equatable {
    case string(String)
    case integer(Int64)
    case bool(Bool)
    case null
    case array([JSONText])
    case object([(String, JSONText)])

    /// An integer, or null when absent (a ratio with a zero denominator).
    public static func integer(_ value: Int64?) -> JSONText { value.map { .integer($0) } ?? .null }

    public static func == (a: JSONText, b: JSONText) -> Bool { a.rendered() == b.rendered() }

    /// The text, indented by `indent` spaces per level (0: one line).
    public func rendered(indent: Int = 1) -> String {
        String(decoding: renderedUTF8(indent: indent), as: UTF8.self)
    }

    /// The text as UTF-8 bytes, written straight into one buffer (what a server sends).
    /// `level`: how deep the value sits in a document written piece by piece (its inner lines
    /// are indented as they would be there).
    public func renderedUTF8(indent: Int = 1, level: Int = 0) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(1024)
        write(into: &bytes, level: level, indent: indent)
        return bytes
    }

    private func write(into out: inout [UInt8], level: Int, indent: Int) {
        func newline() { if indent > 0 { out.append(0x0A) } }
        func pad(_ level: Int) { if indent > 0 { out.append(contentsOf: repeatElement(0x20, count: level * indent)) } }
        switch self {
        case .string(let value): Self.quote(value, into: &out)
        case .integer(let value): Self.append(value, to: &out)
        case .bool(let value): out.append(contentsOf: value ? Self.trueBytes : Self.falseBytes)
        case .null: out.append(contentsOf: Self.nullBytes)
        case .array(let values):
            if values.isEmpty {
                out.append(contentsOf: [0x5B, 0x5D])
                return
            }
            out.append(0x5B)
            newline()
            for (index, value) in values.enumerated() {
                pad(level + 1)
                value.write(into: &out, level: level + 1, indent: indent)
                if index < values.count - 1 { out.append(0x2C) }
                newline()
            }
            pad(level)
            out.append(0x5D)
        case .object(let members):
            if members.isEmpty {
                out.append(contentsOf: [0x7B, 0x7D])
                return
            }
            out.append(0x7B)
            newline()
            for (index, (key, value)) in members.enumerated() {
                pad(level + 1)
                Self.quote(key, into: &out)
                out.append(0x3A)
                if indent > 0 { out.append(0x20) }
                value.write(into: &out, level: level + 1, indent: indent)
                if index < members.count - 1 { out.append(0x2C) }
                newline()
            }
            pad(level)
            out.append(0x7D)
        }
    }

    private static let trueBytes = Array("true".utf8)
    private static let falseBytes = Array("false".utf8)
    private static let nullBytes = Array("null".utf8)

    /// Decimal digits of an integer, without going through a String.
    private static func append(_ value: Int64, to out: inout [UInt8]) {
        if value == 0 {
            out.append(0x30)
            return
        }
        var magnitude = value.magnitude
        var digits: [UInt8] = []
        digits.reserveCapacity(20)
        while magnitude > 0 {
            digits.append(0x30 + UInt8(magnitude % 10))
            magnitude /= 10
        }
        if value < 0 { out.append(0x2D) }
        out.append(contentsOf: digits.reversed())
    }

    /// A JSON string: quotes, backslashes and control characters escaped; every other byte of the
    /// UTF-8 text as it is.
    private static func quote(_ value: String, into out: inout [UInt8]) {
        out.append(0x22)
        for byte in value.utf8 {
            switch byte {
            case 0x22: out.append(contentsOf: [0x5C, 0x22])
            case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
            case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
            case 0x0D: out.append(contentsOf: [0x5C, 0x72])
            case 0x09: out.append(contentsOf: [0x5C, 0x74])
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
            default: out.append(byte)
            }
        }
        out.append(0x22)
    }
}
