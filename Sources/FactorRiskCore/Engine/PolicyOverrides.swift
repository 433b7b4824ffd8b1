/// The policy parameters a bundle's `policy.json` overrides (RULEBOOK.md §5), checked by JSON path.
///
/// Parsed here, in the core, so that every reader of a bundle applies the same file the same way:
/// the importer writes the assignments into the tenant's policy row, an in-memory portfolio
/// applies them to its `Policy` (`apply(to:)`). Parameters not named keep their current value; a
/// nested object (`concentration_cap_bp`, `weight_bp`, and `country_cap_bp` by grade) overrides
/// only the entries it names. `country_cap_bp` may also be a whole array of eight values, grade 0
/// first. The ranges are those the policy table's CHECKs allow, so that a file that passes here is
/// never refused by the database.
public struct PolicyOverrides: Sendable, Equatable {
    /// One parameter (or one element of the country caps array) and its new value.
    public struct Assignment: Sendable, Equatable {
        /// The parameter's column in the policy table (`weight_confidential_bp` for `weight_bp.confidential`).
        public let column: String
        /// For `country_cap_bp`, the element set: 1 for grade 0 (the SQL array's index); nil otherwise.
        public let arrayIndex: Int?
        /// The value, an integer or base minor units; nil only where the parameter may be null (`deposit_days`).
        public let value: Int64?
    }

    /// Every assignment, in the order of the file's keys (sorted), each nested entry after its key.
    public let assignments: [Assignment]

    private static let scalars: [String: ClosedRange<Int64>] = [
        "max_days_from_invoice": 0...36_500, "max_days_past_due": 0...36_500, "cross_age_bp": 0...10_000,
        "cover_domestic_bp": 0...10_000, "cover_foreign_bp": 0...10_000, "default_country_grade": 0...7,
        "large_exposure_report_bp": 0...10_000, "large_exposure_limit_bp": 0...10_000, "utilization_warn_bp": 0...10_000,
        "confidential_max_grade": 1...10,
        // Rulebook version 2 (§8), as migration 0008 bounds them.
        "remittance_days": 0...36_500, "dilution_window_days": 0...36_500, "dilution_allowance_bp": 0...10_000,
        "dilution_warn_bp": 0...10_000, "duplicate_days": 0...36_500, "round_window_days": 0...36_500,
        "round_unit": 1...1_000_000_000_000, "round_min_invoices": 0...1_000_000_000, "round_warn_bp": 0...10_000,
        "new_debtor_days": 0...36_500, "new_debtor_warn_bp": 0...10_000, "slow_payer_days": 0...36_500,
        // Rulebook version 3 (§9), as migration 0010 bounds them.
        "insurance_notice_days": 0...36_500, "limit_notice_days": 0...36_500,
    ]
    /// Parameters that may also be null, which turns their rule off (§4.1 rule 3 for `deposit_days`).
    private static let nullable: [String: ClosedRange<Int64>] = ["deposit_days": 0...36_500]
    private static let byMode: [String: ClosedRange<Int64>] = ["concentration_cap_bp": 0...10_000, "weight_bp": 0...100_000]

    /// Parses the bytes of a policy.json; amounts (`confidential_min_revenue`) are in a base currency
    /// of `baseExponent` minor digits.
    ///
    /// - Throws: the first problem, at its JSON path (as `BundleIssue.column`) in `policy.json`.
    public init(bytes: [UInt8], baseExponent: Int) throws(BundleIssue) {
        let file = BundleFile.policyFileName
        // The exact reader the HTTP bodies go through: integers stay text until checked, and a key
        // written twice is an error at its path instead of one value silently winning.
        var bytes = bytes
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
            } else if let range = Self.nullable[key] {
                let number: Int64? = value == .null ? nil : try Self.integer(value, path, range, orNull: true)
                assignments.append(Assignment(column: key, arrayIndex: nil, value: number))
            } else if let range = Self.byMode[key] {
                guard case .object(let members) = value else {
                    throw BundleIssue(file: file, column: path, message: "must be an object by mode (notified, delegated, confidential)")
                }
                let entries = Dictionary(uniqueKeysWithValues: members)
                for mode in entries.keys.sorted() {
                    guard ClientMode(rawValue: mode) != nil else {
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
                let minor: Int64
                do throws(MoneyParseError) {
                    minor = try Money.parse(text, exponent: baseExponent)
                } catch {
                    throw BundleIssue(file: file, column: path, message: "\"\(text)\" is not an amount: \(error.description)")
                }
                guard minor >= 0 else { throw BundleIssue(file: file, column: path, message: "must not be negative") }
                assignments.append(Assignment(column: key, arrayIndex: nil, value: minor))
            } else {
                throw BundleIssue(file: file, column: path, message: "unknown policy parameter \"\(key)\"")
            }
        }
        self.assignments = assignments
    }

    private static func integer(
        _ value: JSONValue, _ path: String, _ range: ClosedRange<Int64>, orNull: Bool = false
    ) throws(BundleIssue) -> Int64 {
        guard case .number(let text) = value, let number = Int64(text), range.contains(number) else {
            throw BundleIssue(file: BundleFile.policyFileName, column: path,
                message: "must be a whole number from \(range.lowerBound) to \(range.upperBound)\(orNull ? ", or null" : "")")
        }
        return number
    }

    /// The policy's whole-number parameters by column, and its amounts and basis points.
    private static let days: [String: any WritableKeyPath<Policy, Int> & Sendable] = [
        "max_days_from_invoice": \.maxDaysFromInvoice, "max_days_past_due": \.maxDaysPastDue, "default_country_grade": \.defaultCountryGrade,
        "confidential_max_grade": \.confidentialMaxGrade, "remittance_days": \.remittanceDays, "dilution_window_days": \.dilutionWindowDays,
        "duplicate_days": \.duplicateDays, "round_window_days": \.roundWindowDays, "round_min_invoices": \.roundMinInvoices,
        "new_debtor_days": \.newDebtorDays, "slow_payer_days": \.slowPayerDays, "insurance_notice_days": \.insuranceNoticeDays,
        "limit_notice_days": \.limitNoticeDays,
    ]
    private static let amounts: [String: any WritableKeyPath<Policy, Int64> & Sendable] = [
        "cross_age_bp": \.crossAgeBP, "cover_domestic_bp": \.coverDomesticBP, "cover_foreign_bp": \.coverForeignBP,
        "large_exposure_report_bp": \.largeExposureReportBP, "large_exposure_limit_bp": \.largeExposureLimitBP,
        "utilization_warn_bp": \.utilizationWarnBP, "dilution_allowance_bp": \.dilutionAllowanceBP, "dilution_warn_bp": \.dilutionWarnBP,
        "round_unit": \.roundUnit, "round_warn_bp": \.roundWarnBP, "new_debtor_warn_bp": \.newDebtorWarnBP,
    ]

    /// Sets the parameters the file names on `policy`, leaving the others as they are: what the
    /// importer's write of the policy row does, for a portfolio held in memory.
    public func apply(to policy: inout Policy) {
        for assignment in assignments {
            let column = assignment.column
            // Every value was checked against its range, which an Int holds; only deposit_days may be nil.
            if let path = Self.days[column] {
                policy[keyPath: path] = Int(assignment.value!)
            } else if let path = Self.amounts[column] {
                policy[keyPath: path] = assignment.value!
            } else if column == "deposit_days" {
                policy.depositDays = assignment.value.map { Int($0) }
            } else if column == "confidential_min_revenue" {
                policy.confidentialMinRevenue = assignment.value
            } else if column == "country_cap_bp", let index = assignment.arrayIndex {
                policy.countryCapBP[index - 1] = assignment.value!
            } else if let mode = ClientMode.allCases.first(where: { column == "weight_\($0.rawValue)_bp" }) {
                policy.weightBP[mode] = assignment.value!
            } else if let mode = ClientMode.allCases.first(where: { column == "concentration_cap_\($0.rawValue)_bp" }) {
                policy.concentrationCapBP[mode] = assignment.value!
            }
        }
    }
}
