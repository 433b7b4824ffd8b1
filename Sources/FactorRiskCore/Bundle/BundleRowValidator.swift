/// Checks and normalises the rows of one bundle file, field by field, as FORMATS.md defines them.
///
/// Everything that can be judged from a row alone is judged here, while the file streams past:
/// references, codes, amounts with the currency's minor digits, dates, booleans, ranges, and the
/// row's own rules (open within amount, due not before issue). What needs other rows (duplicate
/// keys, unknown clients or debtors) is judged by the database after staging.
///
/// A valid row becomes its values in `file.columns` order, normalised for storage: money as
/// integer minor units, booleans as `true`/`false`, dates as `YYYY-MM-DD`, an empty optional as nil.
public struct BundleRowValidator: Sendable {
    public let file: BundleFile
    /// Where each of `file.columns` sits in the file's rows (header order may differ).
    private let positions: [Int]
    private let kinds: [ColumnKind]
    private let baseExponent: Int

    /// What a column holds and how it is checked.
    enum ColumnKind: Sendable {
        case tenantRef, reference, optionalReference, name, country, currency, mode, documentKind
        case baseMoney, optionalBaseMoney, documentMoney, date, bool, integer(ClosedRange<Int>), rate
    }

    /// Checks the header: every column of the file exactly once, in any order, and nothing else.
    ///
    /// - Parameter baseExponent: minor digits of the tenant's base currency, for the base-currency amounts.
    public init(file: BundleFile, header: [String], baseExponent: Int) throws(BundleIssue) {
        self.file = file
        self.baseExponent = baseExponent
        let wanted = file.columns
        var positions: [Int] = []
        for column in wanted {
            let matches = header.indices.filter { header[$0] == column }
            if matches.count > 1 {
                throw BundleIssue(file: file.fileName, line: 1, column: column, message: "column \"\(column)\" appears twice in the header")
            }
            guard let position = matches.first else {
                throw BundleIssue(file: file.fileName, line: 1, column: column,
                    message: "the header lacks column \"\(column)\" (expected: \(wanted.joined(separator: ",")))")
            }
            positions.append(position)
        }
        if let unknown = header.first(where: { !wanted.contains($0) }) {
            throw BundleIssue(file: file.fileName, line: 1, column: unknown,
                message: "unknown column \"\(unknown)\" in the header (expected: \(wanted.joined(separator: ",")))")
        }
        self.positions = positions
        self.kinds = Self.kinds(of: file)
    }

    private static func kinds(of file: BundleFile) -> [ColumnKind] {
        switch file {
        case .tenant: [.tenantRef, .name, .currency, .country, .baseMoney]
        case .countries: [.country, .integer(0...7), .bool, .optionalBaseMoney]
        case .clients:
            [.reference, .name, .country, .mode, .baseMoney, .integer(1...10), .integer(0...10_000), .baseMoney, .baseMoney,
             .optionalReference]
        case .debtors: [.reference, .name, .country, .optionalReference, .baseMoney]
        case .approvals: [.reference, .reference, .baseMoney]
        case .documents: [.reference, .reference, .reference, .documentKind, .currency, .documentMoney, .documentMoney, .date, .date, .bool]
        case .fxRates: [.currency, .date, .rate]
        }
    }

    /// What a row turned out to be.
    public enum Outcome: Sendable, Equatable {
        /// The normalised values, in `file.columns` order.
        case valid([String?])
        /// Every problem found in the row.
        case invalid([BundleIssue])
    }

    /// The row's normalised values, or every problem found in it.
    public func validate(_ fields: [String], line: Int) -> Outcome {
        let columns = file.columns
        guard fields.count == positions.count else {
            return .invalid([issue(line, nil, "\(fields.count) fields, the header has \(positions.count)")])
        }
        var values: [String?] = []
        values.reserveCapacity(columns.count)
        var issues: [BundleIssue] = []
        // The exponent of the row's own currency, for documents' amounts.
        var rowExponent: Int?
        if file == .documents { rowExponent = Currency.iso(fields[positions[4]])?.exponent }
        for (index, kind) in kinds.enumerated() {
            let raw = fields[positions[index]]
            switch check(raw, kind, rowExponent: rowExponent) {
            case .value(let value): values.append(value)
            case .problem(let message):
                values.append(nil)
                issues.append(issue(line, columns[index], message))
            }
        }
        if file == .documents {
            // The row's own rules, wherever the fields they compare are sound.
            if let amount = values[5].flatMap({ Int64($0) }), let open = values[6].flatMap({ Int64($0) }), open > amount {
                issues.append(issue(line, "open_amount", "\(fields[positions[6]]) is above amount \(fields[positions[5]])"))
            }
            if let issued = values[7], let due = values[8], due < issued {
                issues.append(issue(line, "due_date", "\(due) is before issue_date \(issued)"))
            }
        }
        return issues.isEmpty ? .valid(values) : .invalid(issues)
    }

    private func issue(_ line: Int, _ column: String?, _ message: String) -> BundleIssue {
        BundleIssue(file: file.fileName, line: line, column: column, message: message)
    }

    private func check(_ raw: String, _ kind: ColumnKind, rowExponent: Int?) -> FieldCheck {
        switch kind {
        case .tenantRef:
            guard Self.isTenantRef(raw) else {
                return .problem("\"\(raw)\" is not a tenant reference (letters, digits, . _ -, at most 64)")
            }
            return .value(raw)
        case .reference:
            return Self.checkReference(raw)
        case .optionalReference:
            return raw.isEmpty ? .value(nil) : Self.checkReference(raw)
        case .name:
            guard !raw.isEmpty else { return .problem("is empty") }
            guard raw.count <= 200 else { return .problem("is longer than 200 characters") }
            return .value(raw)
        case .country:
            guard raw.utf8.count == 2, raw.utf8.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
                return .problem("\"\(raw)\" is not an ISO 3166 country code (two capital letters)")
            }
            return .value(raw)
        case .currency:
            // A document's currency was looked up once already, for its amounts' exponent.
            let known = file == .documents ? rowExponent != nil : Currency.iso(raw) != nil
            guard known else { return .problem("\"\(raw)\" is not an ISO 4217 currency code") }
            return .value(raw)
        case .mode:
            guard ["notified", "delegated", "confidential"].contains(raw) else {
                return .problem("\"\(raw)\" is not a mode (notified, delegated or confidential)")
            }
            return .value(raw)
        case .documentKind:
            guard raw == "invoice" || raw == "credit_note" else {
                return .problem("\"\(raw)\" is not a kind (invoice or credit_note)")
            }
            return .value(raw)
        case .baseMoney:
            return Self.checkMoney(raw, exponent: baseExponent)
        case .optionalBaseMoney:
            return raw.isEmpty ? .value(nil) : Self.checkMoney(raw, exponent: baseExponent)
        case .documentMoney:
            // An unknown currency is reported on the currency column; the amount is not judged then.
            guard let rowExponent else { return .value(nil) }
            return Self.checkMoney(raw, exponent: rowExponent)
        case .date:
            // The strict parser accepts only the canonical YYYY-MM-DD form, so the text is kept as it is.
            guard CalendarDate(iso: raw) != nil else { return .problem("\"\(raw)\" is not a date (YYYY-MM-DD)") }
            return .value(raw)
        case .bool:
            guard raw == "true" || raw == "false" else { return .problem("\"\(raw)\" is not true or false") }
            return .value(raw)
        case .integer(let range):
            guard let value = Int(raw), range.contains(value), raw.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }) else {
                return .problem("\"\(raw)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return .value(String(value))
        case .rate:
            guard let rate = DecimalRate(parsing: raw), rate.isPositive else {
                return .problem("\"\(raw)\" is not a positive decimal rate (at most 12 decimals)")
            }
            return .value(rate.description)
        }
    }

    private static func checkReference(_ raw: String) -> FieldCheck {
        let bytes = raw.utf8
        guard let first = bytes.first, let last = bytes.last else { return .problem("is empty") }
        // Characters are counted only when the bytes could exceed 64 of them.
        guard bytes.count <= 64 || raw.count <= 64 else { return .problem("is longer than 64 characters") }
        guard !bytes.contains(where: { $0 < 32 || $0 == 127 }) else { return .problem("holds a control character") }
        guard first != 32 && last != 32 else { return .problem("\"\(raw)\" has leading or trailing spaces") }
        return .value(raw)
    }

    private static func checkMoney(_ raw: String, exponent: Int) -> FieldCheck {
        do {
            let minor = try Money.parse(raw, exponent: exponent)
            guard minor >= 0 else { return .problem("\(raw) is negative") }
            return .value(String(minor))
        } catch {
            return .problem("\"\(raw)\" is not an amount: \(error.description)")
        }
    }

    /// Whether `raw` can name a tenant: letters, digits, `.`, `_`, `-`, at most 64, starting alphanumeric.
    public static func isTenantRef(_ raw: String) -> Bool {
        let bytes = Array(raw.utf8)
        guard (1...64).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) }
        guard isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// What a field turned out to be: its normalised value (nil for an empty optional), or a problem.
    /// (Not a generic `Result`: this runs for every field of every row.)
    enum FieldCheck {
        case value(String?)
        case problem(String)
    }
}
