/// An array parameter whose elements may be NULL, in the text form of any one-dimensional array
/// (`{"a",NULL,"b"}`): cast in the statement to the element type it holds (`$2::date[]`), it carries
/// a column of values in one parameter, so that one statement takes a batch of rows whatever its size.
public struct PGTextArray: PGBindable, Sendable {
    public var values: [String?]

    public init(_ values: [String?]) { self.values = values }

    /// Every element quoted, with backslashes and quotes escaped; NULL unquoted.
    public var pgText: String {
        var text = "{"
        for (position, value) in values.enumerated() {
            if position > 0 { text.append(",") }
            guard let value else {
                text.append("NULL")
                continue
            }
            text.append("\"")
            for character in value {
                if character == "\\" || character == "\"" { text.append("\\") }
                text.append(character)
            }
            text.append("\"")
        }
        text.append("}")
        return text
    }
}
