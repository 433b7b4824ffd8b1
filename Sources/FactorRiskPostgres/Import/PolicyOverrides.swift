import FactorRiskCore
import Foundation

/// The policy parameters a bundle's `policy.json` overrides (RULEBOOK.md §5), checked by JSON path.
///
/// Parameters not named keep their current value; a nested object (`concentration_cap_bp`,
/// `weight_bp`, and `country_cap_bp` by grade) overrides only the entries it names.
/// `country_cap_bp` may also be a whole array of eight values, grade 0 first.
struct PolicyOverrides {
    /// One column (or one element of the country caps array) and its new value.
    struct Assignment {
        let column: String
        let arrayIndex: Int?
        let value: Int64
    }

    let assignments: [Assignment]

    private static let scalars: [String: ClosedRange<Int64>] = [
        "max_days_from_invoice": 0...36_500, "max_days_past_due": 0...36_500, "cross_age_bp": 0...10_000,
        "cover_domestic_bp": 0...10_000, "cover_foreign_bp": 0...10_000, "default_country_grade": 0...7,
        "large_exposure_report_bp": 0...10_000, "large_exposure_limit_bp": 0...10_000, "utilization_warn_bp": 0...10_000,
        "confidential_max_grade": 1...10,
    ]
    private static let byMode: [String: ClosedRange<Int64>] = ["concentration_cap_bp": 0...10_000, "weight_bp": 0...100_000]
    private static let modes = ["notified", "delegated", "confidential"]

    init(path: String, baseExponent: Int) throws(BundleIssue) {
        let file = BundleFile.policyFileName
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BundleIssue(file: file, message: "cannot be read")
        }
        // The exact reader the HTTP bodies go through: integers stay text until checked, and a key
        // written twice is an error at its path instead of one value silently winning.
        var bytes = [UInt8](data)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }  // a byte order mark, as the CSV reader allows
        let root: JSONValue
        do throws(JSONValue.ParseError) {
            root = try JSONValue.parse(bytes)
        } catch {
            throw BundleIssue(file: file, column: error.path, message: "is not valid JSON: \(error)")
        }
        guard case .object(let members) = root else { throw BundleIssue(file: file, column: "$", message: "must be a JSON object") }
        let object = Dictionary(uniqueKeysWithValues: members)
        var assignments: [Assignment] = []
        for key in object.keys.sorted() {
            let value = object[key]!
            let path = "$.\(key)"
            if let range = Self.scalars[key] {
                assignments.append(Assignment(column: key, arrayIndex: nil, value: try Self.integer(value, path, range)))
            } else if let range = Self.byMode[key] {
                guard case .object(let members) = value else {
                    throw BundleIssue(file: file, column: path, message: "must be an object by mode (notified, delegated, confidential)")
                }
                let entries = Dictionary(uniqueKeysWithValues: members)
                for mode in entries.keys.sorted() {
                    guard Self.modes.contains(mode) else {
                        throw BundleIssue(file: file, column: "\(path).\(mode)", message: "unknown mode (notified, delegated or confidential)")
                    }
                    let column = key == "weight_bp" ? "weight_\(mode)_bp" : "concentration_cap_\(mode)_bp"
                    assignments.append(Assignment(column: column, arrayIndex: nil, value: try Self.integer(entries[mode]!, "\(path).\(mode)", range)))
                }
            } else if key == "country_cap_bp" {
                switch value {
                case .array(let values):
                    guard values.count == 8 else {
                        throw BundleIssue(file: file, column: path, message: "must list 8 values, grades 0 to 7 (it lists \(values.count))")
                    }
                    for (grade, entry) in values.enumerated() {
                        assignments.append(Assignment(column: key, arrayIndex: grade + 1, value: try Self.integer(entry, "\(path)[\(grade)]", 0...10_000)))
                    }
                case .object(let members):
                    let entries = Dictionary(uniqueKeysWithValues: members)
                    for grade in entries.keys.sorted() {
                        guard let number = Int(grade), (0...7).contains(number) else {
                            throw BundleIssue(file: file, column: "\(path).\(grade)", message: "grades are 0 to 7")
                        }
                        assignments.append(Assignment(column: key, arrayIndex: number + 1, value: try Self.integer(entries[grade]!, "\(path).\(grade)", 0...10_000)))
                    }
                default:
                    throw BundleIssue(file: file, column: path, message: "must be an array of 8 values or an object by grade")
                }
            } else if key == "confidential_min_revenue" {
                guard case .string(let text) = value else {
                    throw BundleIssue(file: file, column: path, message: "must be an amount as a string, e.g. \"15000000.00\"")
                }
                do {
                    let minor = try Money.parse(text, exponent: baseExponent)
                    guard minor >= 0 else { throw BundleIssue(file: file, column: path, message: "must not be negative") }
                    assignments.append(Assignment(column: key, arrayIndex: nil, value: minor))
                } catch let error as MoneyParseError {
                    throw BundleIssue(file: file, column: path, message: "\"\(text)\" is not an amount: \(error.description)")
                } catch {
                    throw error as! BundleIssue
                }
            } else {
                throw BundleIssue(file: file, column: path, message: "unknown policy parameter \"\(key)\"")
            }
        }
        self.assignments = assignments
    }

    private static func integer(_ value: JSONValue, _ path: String, _ range: ClosedRange<Int64>) throws(BundleIssue) -> Int64 {
        guard case .number(let text) = value, let number = Int64(text), range.contains(number) else {
            throw BundleIssue(file: BundleFile.policyFileName, column: path,
                message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    /// Writes the overrides into the tenant's policy row. Returns whether anything changed.
    func apply(_ connection: PGConnection, tenantID: Int64) throws -> Bool {
        guard !assignments.isEmpty else { return false }
        let before = try connection.query("SELECT policies::text FROM policies WHERE tenant_id = $1", [tenantID]).first?.decode(String.self, at: 0)
        var sets: [String] = []
        var parameters: [(any PGBindable)?] = [tenantID]
        for assignment in assignments {
            parameters.append(assignment.value)
            let target = assignment.arrayIndex.map { "\(assignment.column)[\($0)]" } ?? assignment.column
            sets.append("\(target) = $\(parameters.count)")
        }
        try connection.query("UPDATE policies SET \(sets.joined(separator: ", ")) WHERE tenant_id = $1", parameters)
        let after = try connection.query("SELECT policies::text FROM policies WHERE tenant_id = $1", [tenantID]).first?.decode(String.self, at: 0)
        if before == after { return false }
        try connection.query("UPDATE policies SET updated_at = now() WHERE tenant_id = $1", [tenantID])
        return true
    }
}
