import FactorRiskCore
import Foundation

/// The expected reports of the rulebook's examples (`Tests/Fixtures/<example>/expected`), read as
/// the shared examples give them, byte for byte.
///
/// The worked and cash examples predate rulebook version 3, and their files list none of its
/// figures (FORMATS.md: version 3 adds fields after the others). Such an example has no limit change
/// and no insurance, so each of those figures follows from the file's own: nothing pending (null
/// limits and dates, projected guaranteed = guaranteed, no approval cut, no projected excess) and
/// nothing insured (net loss = covered). They are filled in where a file lacks them, at the place
/// FORMATS.md gives them; an example with §9 inputs is read as it is.
public enum ExpectedReport {
    /// The expected report of `level` in `folder`, completed as above.
    public static func json(_ folder: String, _ level: ReportLevel) throws -> JSONValue {
        let report = try JSONValue.parse(Array(try Data(contentsOf: URL(fileURLWithPath: "\(folder)/expected/\(level.rawValue).json"))))
        let hasLimits = ["limit_changes.csv", "insurance.csv"].contains { FileManager.default.fileExists(atPath: "\(folder)/\($0)") }
        guard !hasLimits, case .object(var members) = report else { return report }
        for index in members.indices {
            switch (members[index].0, members[index].1) {
            case ("rows", .array(let rows)): members[index].1 = .array(rows.map { complete($0, level) })
            case ("portfolio", let row): members[index].1 = complete(row, level)
            default: break
            }
        }
        return .object(members)
    }

    /// The same as JSON text, for the tests that compare through JSONSerialization.
    public static func data(_ folder: String, _ level: ReportLevel) throws -> Data {
        Data(text(try json(folder, level)).rendered().utf8)
    }

    /// A row with the version 3 figures its level lacks.
    static func complete(_ row: JSONValue, _ level: ReportLevel) -> JSONValue {
        guard case .object(var members) = row else { return row }
        func zero(_ amount: JSONValue?) -> JSONValue {
            guard case .string(let text)? = amount, let point = text.firstIndex(of: ".") else { return .string("0") }
            return .string("0." + String(repeating: "0", count: text.distance(from: point, to: text.endIndex) - 1))
        }
        func insert(_ added: [(String, JSONValue)], after key: String? = nil, before other: String? = nil) {
            guard !added.contains(where: { name, _ in members.contains { $0.0 == name } }) else { return }
            let position = key.flatMap { name in members.firstIndex { $0.0 == name }.map { $0 + 1 } }
                ?? other.flatMap { name in members.firstIndex { $0.0 == name } } ?? members.endIndex
            members.insert(contentsOf: added, at: position)
        }
        let value = { (name: String) in row[name] ?? .null }
        switch level {
        case .pair:
            insert([("pending_approved", .null), ("pending_on", .null), ("projected_guaranteed", value("guaranteed"))], after: "new_debtor")
        case .client:
            insert([("approval_cut", zero(row["guaranteed"]))], before: "tier")
        case .debtor:
            let none = zero(row["covered"])
            insert([("pending_limit", .null), ("pending_on", .null), ("projected_excess", none), ("insured", none), ("recoverable", none),
                    ("net_loss", value("covered"))], before: "flags")
        case .group:
            insert([("net_loss", value("covered"))], before: "flags")
        case .portfolio:
            insert([("net_loss", value("covered"))], after: "unremitted")
        case .country:
            break
        }
        return .object(members)
    }

    /// The value as JSON text (numbers in the examples are whole).
    static func text(_ value: JSONValue) -> JSONText {
        switch value {
        case .string(let string): .string(string)
        case .number(let number): .integer(Int64(number)!)
        case .bool(let flag): .bool(flag)
        case .null: .null
        case .array(let values): .array(values.map(text))
        case .object(let members): .object(members.map { ($0.0, text($0.1)) })
        }
    }
}
