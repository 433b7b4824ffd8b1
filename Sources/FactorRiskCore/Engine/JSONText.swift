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
        var text = ""
        write(into: &text, level: 0, indent: indent)
        return text
    }

    private func write(into text: inout String, level: Int, indent: Int) {
        let newline = indent > 0 ? "\n" : ""
        func pad(_ level: Int) -> String { String(repeating: " ", count: level * indent) }
        switch self {
        case .string(let value): Self.quote(value, into: &text)
        case .integer(let value): text += String(value)
        case .bool(let value): text += value ? "true" : "false"
        case .null: text += "null"
        case .array(let values):
            if values.isEmpty {
                text += "[]"
                return
            }
            text += "[" + newline
            for (index, value) in values.enumerated() {
                text += pad(level + 1)
                value.write(into: &text, level: level + 1, indent: indent)
                text += (index < values.count - 1 ? "," : "") + newline
            }
            text += pad(level) + "]"
        case .object(let members):
            if members.isEmpty {
                text += "{}"
                return
            }
            text += "{" + newline
            for (index, (key, value)) in members.enumerated() {
                text += pad(level + 1)
                Self.quote(key, into: &text)
                text += indent > 0 ? ": " : ":"
                value.write(into: &text, level: level + 1, indent: indent)
                text += (index < members.count - 1 ? "," : "") + newline
            }
            text += pad(level) + "}"
        }
    }

    private static func quote(_ value: String, into text: inout String) {
        text += "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": text += "\\\""
            case "\\": text += "\\\\"
            case "\n": text += "\\n"
            case "\r": text += "\\r"
            case "\t": text += "\\t"
            case let control where control.value < 0x20:
                let hex = String(control.value, radix: 16)
                text += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: text.unicodeScalars.append(scalar)
            }
        }
        text += "\""
    }
}
