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

    /// A checked field's value, as it is to be stored.
    public enum Value: Sendable, Equatable {
        /// The field as written (a reference, a code, a date in its one spelling, a boolean).
        case asWritten
        /// An empty optional field.
        case null
        /// An amount in minor units, or a whole number.
        case integer(Int64)
        /// A rewritten spelling (a rate in its canonical form).
        case text(String)
    }

    /// The row's normalised values, or every problem found in it.
    public func validate(_ fields: [String], line: Int) -> Outcome {
        CSVReader.Fields.withFields(of: fields) { raw in
            var values: [Value] = []
            let issues = validate(raw, line: line, into: &values)
            guard issues.isEmpty else { return .invalid(issues) }
            return .valid(values.indices.map { index in
                switch values[index] {
                case .asWritten: fields[positions[index]]
                case .null: nil
                case .integer(let number): String(number)
                case .text(let text): text
                }
            })
        }
    }

    /// Checks a row of bytes: every problem found in it, or none, and then `values` holds its
    /// values in `file.columns` order (`field(_:of:)` gives the bytes of a value `.asWritten`).
    /// `values` is the caller's, reused from row to row.
    public func validate(_ fields: CSVReader.Fields, line: Int, into values: inout [Value]) -> [BundleIssue] {
        let columns = file.columns
        guard fields.count == positions.count else {
            return [issue(line, nil, "\(fields.count) fields, the header has \(positions.count)")]
        }
        values.removeAll(keepingCapacity: true)
        var issues: [BundleIssue] = []
        // The exponent of the row's own currency, for documents' amounts.
        var rowExponent: Int?
        if file == .documents { rowExponent = Currency.exponent(ofCode: fields[positions[4]]) }
        for (index, kind) in kinds.enumerated() {
            switch check(fields[positions[index]], kind, rowExponent: rowExponent) {
            case .value(let value): values.append(value)
            case .problem(let message):
                values.append(.null)
                issues.append(issue(line, columns[index], message))
            }
        }
        if file == .documents {
            // The row's own rules, wherever the fields they compare are sound.
            if case .integer(let amount) = values[5], case .integer(let open) = values[6], open > amount {
                issues.append(issue(line, "open_amount", "\(fields.string(positions[6])) is above amount \(fields.string(positions[5]))"))
            }
            if values[7] == .asWritten, values[8] == .asWritten {
                // Dates in their one spelling compare as their bytes do.
                let issued = fields[positions[7]]
                let due = fields[positions[8]]
                if due.lexicographicallyPrecedes(issued) {
                    issues.append(issue(line, "due_date", "\(fields.string(positions[8])) is before issue_date \(fields.string(positions[7]))"))
                }
            }
        }
        return issues
    }

    /// The bytes of column `index` (in `file.columns` order) in a row.
    public func field(_ index: Int, of fields: CSVReader.Fields) -> UnsafeBufferPointer<UInt8> {
        fields[positions[index]]
    }

    private func issue(_ line: Int, _ column: String?, _ message: String) -> BundleIssue {
        BundleIssue(file: file.fileName, line: line, column: column, message: message)
    }

    private func check(_ raw: UnsafeBufferPointer<UInt8>, _ kind: ColumnKind, rowExponent: Int?) -> FieldCheck {
        // The field as text, for messages only.
        var text: String { String(decoding: raw, as: UTF8.self) }
        switch kind {
        case .tenantRef:
            guard Self.isTenantRef(raw) else {
                return .problem("\"\(text)\" is not a tenant reference (letters, digits, . _ -, at most 64)")
            }
            return .value(.asWritten)
        case .reference:
            return Self.checkReference(raw)
        case .optionalReference:
            return raw.isEmpty ? .value(.null) : Self.checkReference(raw)
        case .name:
            guard !raw.isEmpty else { return .problem("is empty") }
            // Characters are counted only when the bytes could exceed 200 of them.
            guard raw.count <= 200 || text.count <= 200 else { return .problem("is longer than 200 characters") }
            return .value(.asWritten)
        case .country:
            guard raw.count == 2, raw.allSatisfy({ $0 >= 65 && $0 <= 90 }) else {
                return .problem("\"\(text)\" is not an ISO 3166 country code (two capital letters)")
            }
            return .value(.asWritten)
        case .currency:
            // A document's currency was looked up once already, for its amounts' exponent.
            let known = file == .documents ? rowExponent != nil : Currency.exponent(ofCode: raw) != nil
            guard known else { return .problem("\"\(text)\" is not an ISO 4217 currency code") }
            return .value(.asWritten)
        case .mode:
            guard Self.equals(raw, "notified") || Self.equals(raw, "delegated") || Self.equals(raw, "confidential") else {
                return .problem("\"\(text)\" is not a mode (notified, delegated or confidential)")
            }
            return .value(.asWritten)
        case .documentKind:
            guard Self.equals(raw, "invoice") || Self.equals(raw, "credit_note") else {
                return .problem("\"\(text)\" is not a kind (invoice or credit_note)")
            }
            return .value(.asWritten)
        case .baseMoney:
            return Self.checkMoney(raw, exponent: baseExponent)
        case .optionalBaseMoney:
            return raw.isEmpty ? .value(.null) : Self.checkMoney(raw, exponent: baseExponent)
        case .documentMoney:
            // An unknown currency is reported on the currency column; the amount is not judged then.
            guard let rowExponent else { return .value(.null) }
            return Self.checkMoney(raw, exponent: rowExponent)
        case .date:
            // The strict parser accepts only the canonical YYYY-MM-DD form, so the text is kept as it is.
            guard CalendarDate(iso: raw) != nil else { return .problem("\"\(text)\" is not a date (YYYY-MM-DD)") }
            return .value(.asWritten)
        case .bool:
            guard Self.equals(raw, "true") || Self.equals(raw, "false") else { return .problem("\"\(text)\" is not true or false") }
            return .value(.asWritten)
        case .integer(let range):
            guard raw.allSatisfy({ $0 >= 48 && $0 <= 57 }), let value = Int(text), range.contains(value) else {
                return .problem("\"\(text)\" is not a whole number from \(range.lowerBound) to \(range.upperBound)")
            }
            return .value(.integer(Int64(value)))
        case .rate:
            guard let rate = DecimalRate(parsing: text), rate.isPositive else {
                return .problem("\"\(text)\" is not a positive decimal rate (at most 12 decimals)")
            }
            return .value(.text(rate.description))
        }
    }

    private static func equals(_ bytes: UnsafeBufferPointer<UInt8>, _ word: StaticString) -> Bool {
        bytes.count == word.utf8CodeUnitCount
            && bytes.elementsEqual(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
    }

    private static func checkReference(_ raw: UnsafeBufferPointer<UInt8>) -> FieldCheck {
        guard let first = raw.first, let last = raw.last else { return .problem("is empty") }
        // Characters are counted only when the bytes could exceed 64 of them.
        guard raw.count <= 64 || String(decoding: raw, as: UTF8.self).count <= 64 else { return .problem("is longer than 64 characters") }
        guard !raw.contains(where: { $0 < 32 || $0 == 127 }) else { return .problem("holds a control character") }
        guard first != 32 && last != 32 else {
            return .problem("\"\(String(decoding: raw, as: UTF8.self))\" has leading or trailing spaces")
        }
        return .value(.asWritten)
    }

    private static func checkMoney(_ raw: UnsafeBufferPointer<UInt8>, exponent: Int) -> FieldCheck {
        do {
            let minor = try Money.parse(utf8: raw, exponent: exponent)
            guard minor >= 0 else { return .problem("\(String(decoding: raw, as: UTF8.self)) is negative") }
            return .value(.integer(minor))
        } catch {
            return .problem("\"\(String(decoding: raw, as: UTF8.self))\" is not an amount: \(error.description)")
        }
    }

    /// Whether `raw` can name a tenant: letters, digits, `.`, `_`, `-`, at most 64, starting alphanumeric.
    public static func isTenantRef(_ raw: String) -> Bool {
        Array(raw.utf8).withUnsafeBufferPointer(isTenantRef)
    }

    private static func isTenantRef(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard (1...64).contains(bytes.count) else { return false }
        func isAlphanumeric(_ byte: UInt8) -> Bool { (48...57).contains(byte) || (65...90).contains(byte) || (97...122).contains(byte) }
        guard isAlphanumeric(bytes[0]) else { return false }
        return bytes.allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: ".") || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    /// What a field turned out to be: its normalised value (nil for an empty optional), or a problem.
    /// (Not a generic `Result`: this runs for every field of every row.)
    enum FieldCheck {
        case value(Value)
        case problem(String)
    }
}
