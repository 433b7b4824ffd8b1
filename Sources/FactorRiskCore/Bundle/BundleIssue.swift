/// One thing wrong with a bundle, located as precisely as the input allows.
///
/// Worded for the person who fixes the file: which file, which line (as an editor counts them,
/// the header being line 1), which column, and what is wrong with the value.
public struct BundleIssue: Error, Sendable, Equatable, CustomStringConvertible, Codable {
    public var file: String
    public var line: Int?
    public var column: String?
    public var message: String

    public init(file: String, line: Int? = nil, column: String? = nil, message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String {
        var place = file
        if let line { place += " line \(line)" }
        if let column { place += ", column \(column)" }
        return "\(place): \(message)"
    }
}
