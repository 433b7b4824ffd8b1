/// Writes CSV rows as RFC 4180 says, quoting only the fields that need it.
public enum CSVEncoding {
    /// One line, with its CRLF-free `\n` ending. A field is quoted when it holds a comma, a quote,
    /// a CR or an LF (quotes inside doubled); every other field is written as it is.
    public static func line(_ fields: [String]) -> String {
        var line = ""
        for (index, field) in fields.enumerated() {
            if index > 0 { line.append(",") }
            line.append(quotedIfNeeded(field))
        }
        line.append("\n")
        return line
    }

    /// The field as it stands in a CSV line.
    public static func quotedIfNeeded(_ field: String) -> String {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 10 || $0 == 13 }
        guard needsQuotes else { return field }
        var quoted = "\""
        for character in field.unicodeScalars {
            if character == "\"" { quoted.append("\"") }
            quoted.unicodeScalars.append(character)
        }
        quoted.append("\"")
        return quoted
    }
}
