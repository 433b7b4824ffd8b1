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
    /// The file's header names, in `file.columns` order.
    private let names: [String]
    /// Where each of `file.columns` sits in the file's rows (header order may differ).
    private let positions: [Int]
    /// How each of `file.columns` is checked, compiled once from its description.
    private let checks: [Check]
    /// Whether each of `file.columns` may be empty.
    private let optional: [Bool]
    /// The column (in `file.columns` order) naming the currency of the row's amounts, if any.
    private let rowCurrency: Int?
    private let crossChecks: [CrossCheck]
    /// The amounts (in `file.columns` order) that must be above 0, not merely not negative.
    private let positive: [Int]
    private let baseExponent: Int

    /// How a column is checked: its `BundleColumn.Kind`, made ready for every row of a file.
    enum Check: Sendable {
        case tenantRef, reference, name, country, currency, date, bool, rate
        case oneOf(words: [[UInt8]], noun: String, list: String)
        case baseMoney, rowMoney, documentMoney
        case integer(ClosedRange<Int>)
    }

    /// The rules of a row that compare two of its columns (FORMATS.md), by position in `file.columns`.
    enum CrossCheck: Sendable {
        /// The amount of the first may not exceed that of the second.
        case notAbove(Int, Int)
        /// The date of the first may not precede that of the second.
        case notBefore(Int, Int)
    }

    /// The rules of each file that compare two of its columns, by the columns' names (a new file
    /// with such rules adds them here).
    private static func crossChecks(of file: BundleFile) -> [(rule: (Int, Int) -> CrossCheck, first: String, second: String)] {
        switch file {
        case .documents: [(CrossCheck.notAbove, "open_amount", "amount"), (CrossCheck.notBefore, "due_date", "issue_date")]
        case .limitChanges: [(CrossCheck.notBefore, "effective_on", "announced_on")]
        case .insurance: [(CrossCheck.notBefore, "valid_to", "valid_from")]
        default: []
        }
    }

    /// The amounts of each file that must be above 0 (FORMATS.md: a collection or a remittance of
    /// nothing is a mistake in the extract, not a payment), by the columns' names.
    private static func positiveAmounts(of file: BundleFile) -> [String] {
        switch file {
        case .collections, .remittances: ["amount"]
        default: []
        }
    }

    /// Checks the header: every column of the file exactly once, in any order, and nothing else.
    ///
    /// - Parameter baseExponent: minor digits of the tenant's base currency, for the base-currency amounts.
    public init(file: BundleFile, header: [String], baseExponent: Int) throws(BundleIssue) {
        self.file = file
        self.baseExponent = baseExponent
        let columns = file.columns
        let wanted = columns.map(\.name)
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
        self.names = wanted
        self.positions = positions
        self.optional = columns.map(\.optional)
        var rowCurrency: Int?
        self.checks = columns.map { column in
            switch column.kind {
            case .tenantRef: return .tenantRef
            case .reference: return .reference
            case .name: return .name
            case .country: return .country
            case .currency: return .currency
            case .date: return .date
            case .boolean: return .bool
            case .rate: return .rate
            case .integer(let range): return .integer(range)
            case .oneOf(let words):
                let list = words.count < 2 ? words.joined() : words.dropLast().joined(separator: ", ") + " or " + words.last!
                // "an event", "a mode": the column's name with its article, for the message.
                let article = column.name.first.map { "aeiou".contains($0) } == true ? "an" : "a"
                return .oneOf(words: words.map { Array($0.utf8) }, noun: "\(article) \(column.name)", list: list)
            case .money(.base): return .baseMoney
            case .money(.column(let currency)):
                rowCurrency = wanted.firstIndex(of: currency)
                return .rowMoney
            case .money(.document):
                return .documentMoney
            }
        }
        self.rowCurrency = rowCurrency
        self.crossChecks = Self.crossChecks(of: file).map { rule, first, second in
            rule(wanted.firstIndex(of: first)!, wanted.firstIndex(of: second)!)
        }
        self.positive = Self.positiveAmounts(of: file).map { wanted.firstIndex(of: $0)! }
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
        guard fields.count == positions.count else {
            return [issue(line, nil, "\(fields.count) fields, the header has \(positions.count)")]
        }
        values.removeAll(keepingCapacity: true)
        var issues: [BundleIssue] = []
        // The exponent of the row's own currency, for amounts written in it.
        var rowExponent: Int?
        if let rowCurrency { rowExponent = Currency.exponent(ofCode: fields[positions[rowCurrency]]) }
        for index in checks.indices {
            let raw = fields[positions[index]]
            if optional[index] && raw.isEmpty {
                values.append(.null)
                continue
            }
            switch check(raw, column: index, rowExponent: rowExponent) {
            case .value(let value): values.append(value)
            case .problem(let message):
                values.append(.null)
                issues.append(issue(line, names[index], message))
            }
        }
        // The row's own rules, wherever the fields they compare are sound.
        for rule in crossChecks {
            switch rule {
            case .notAbove(let first, let second):
                if case .integer(let upper) = values[second], case .integer(let value) = values[first], value > upper {
                    issues.append(issue(line, names[first],
                        "\(fields.string(positions[first])) is above \(names[second]) \(fields.string(positions[second]))"))
                }
            case .notBefore(let first, let second):
                // Dates in their one spelling compare as their bytes do.
                if values[first] == .asWritten, values[second] == .asWritten,
                   fields[positions[first]].lexicographicallyPrecedes(fields[positions[second]]) {
                    issues.append(issue(line, names[first],
                        "\(fields.string(positions[first])) is before \(names[second]) \(fields.string(positions[second]))"))
                }
            }
        }
        for index in positive where Self.isZero(values[index], fields[positions[index]]) {
            issues.append(issue(line, names[index], "\(fields.string(positions[index])) is not above 0"))
        }
        return issues
    }

    /// Whether a checked amount is 0: in minor units, or as written (a document-currency amount).
    private static func isZero(_ value: Value, _ raw: UnsafeBufferPointer<UInt8>) -> Bool {
        switch value {
        case .integer(let minor): minor == 0
        case .asWritten: !raw.contains { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }
        case .null, .text: false
        }
    }

    /// The bytes of column `index` (in `file.columns` order) in a row.
    public func field(_ index: Int, of fields: CSVReader.Fields) -> UnsafeBufferPointer<UInt8> {
        fields[positions[index]]
    }

    private func issue(_ line: Int, _ column: String?, _ message: String) -> BundleIssue {
        BundleIssue(file: file.fileName, line: line, column: column, message: message)
    }

    /// Checks the field of column `index` (in `file.columns` order).
    private func check(_ raw: UnsafeBufferPointer<UInt8>, column index: Int, rowExponent: Int?) -> FieldCheck {
        // The field as text, for messages only.
        var text: String { String(decoding: raw, as: UTF8.self) }
        switch checks[index] {
        case .tenantRef:
            guard Self.isTenantRef(raw) else {
                return .problem("\"\(text)\" is not a tenant reference (letters, digits, . _ -, at most 64)")
            }
            return .value(.asWritten)
        case .reference:
            return Self.checkReference(raw)
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
            // The currency of the row's amounts was looked up once already, for their exponent.
            let known = index == rowCurrency ? rowExponent != nil : Currency.exponent(ofCode: raw) != nil
            guard known else { return .problem("\"\(text)\" is not an ISO 4217 currency code") }
            return .value(.asWritten)
        case .oneOf(let words, let noun, let list):
            guard words.contains(where: { raw.elementsEqual($0) }) else {
                return .problem("\"\(text)\" is not \(noun) (\(list))")
            }
            return .value(.asWritten)
        case .baseMoney:
            return Self.checkMoney(raw, exponent: baseExponent)
        case .rowMoney:
            // An unknown currency is reported on the currency column; the amount is not judged then.
            guard let rowExponent else { return .value(.null) }
            return Self.checkMoney(raw, exponent: rowExponent)
        case .documentMoney:
            // The document's currency is known only once the row is matched to its document: the
            // amount is checked here as a decimal with the decimals it is written with (at most
            // the largest minor digits any currency could have), and kept as written; the database
            // then checks its decimals against the document's currency and converts it.
            let decimals = raw.firstIndex(of: UInt8(ascii: ".")).map { raw.count - $0 - 1 } ?? 0
            guard decimals <= Money.maxExponent else {
                return .problem("\"\(text)\" has \(decimals) decimals; no currency has more than \(Money.maxExponent)")
            }
            if case .problem(let message) = Self.checkMoney(raw, exponent: decimals) { return .problem(message) }
            return .value(.asWritten)
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
            if let refusal = Money.refusal(minor, text: String(decoding: raw, as: UTF8.self), exponent: exponent) {
                return .problem(refusal)
            }
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
