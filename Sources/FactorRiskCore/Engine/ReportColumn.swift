/// What a report figure is. The kind decides how the figure is written (JSON, CSV, a terminal
/// table), how its OpenAPI schema reads, and whether it can sort a level.
public enum FigureKind: String, Sendable, CaseIterable {
    /// A reference of the tenant's data (`client_ref`, `group_ref`): text, sorted in byte order.
    case reference
    /// An ISO 3166 country code.
    case country
    /// A client's mode (`notified`, `delegated`, `confidential`).
    case mode
    /// Money in base minor units, written with exactly the base currency's minor digits.
    case money
    /// Basis points (10,000 is 100 %).
    case basisPoints
    /// Parts per million.
    case ppm
    /// A number of things (clients, debtors, documents).
    case count
    /// A country's risk grade, 0 to 7.
    case grade
    /// A number of days.
    case days
    /// A calendar date, `YYYY-MM-DD`.
    case date
    /// A yes or no.
    case boolean
    /// A client's tier, stored as 1 to 4 and written A to D.
    case tier
    /// The flags of RULEBOOK.md §6 raised on the row.
    case flags

    /// Whether the figure is a number a level can be sorted by, largest first.
    public var isNumeric: Bool {
        switch self {
        case .money, .basisPoints, .ppm, .count, .grade, .days, .tier: true
        case .reference, .country, .mode, .date, .boolean, .flags: false
        }
    }
}

/// One output figure of FORMATS.md, declared once: every reader and writer of snapshot and live
/// rows (SQL column lists, row decoding, JSON, CSV, terminal tables, `--sort`, the OpenAPI
/// schemas) is derived from these declarations, so a new figure is one line here.
public struct ReportColumnInfo: Sendable, Equatable {
    /// The JSON key (inside `group` when there is one).
    public let name: String
    /// The JSON object the figure is nested in (`ineligible`), flattened in CSV and SQL as `group_name`.
    public let group: String?
    public let kind: FigureKind
    /// Whether the figure may be null (a ratio over zero, a date that is not set).
    public let nullable: Bool
    /// Whether a level may be sorted by it.
    public let sortable: Bool
    /// Whether the figure is (part of) the row's key, compared in byte order.
    public let isKey: Bool
    /// What the figure means, as the OpenAPI document says it.
    public let summary: String

    /// The figure's name in CSV headers and in the snapshot tables' columns.
    public var flatName: String { group.map { "\($0)_\(name)" } ?? name }
}

/// A report figure and where it lives in its row type.
///
/// Key paths are immutable values; a column is shared freely between tasks.
public struct ReportColumn<Row>: @unchecked Sendable {
    /// Where the figure is kept in the row, by the Swift type it has there.
    public enum Field {
        case text(WritableKeyPath<Row, String>)
        case int64(WritableKeyPath<Row, Int64>)
        case optionalInt64(WritableKeyPath<Row, Int64?>)
        case int(WritableKeyPath<Row, Int>)
        case boolean(WritableKeyPath<Row, Bool>)
        case optionalDate(WritableKeyPath<Row, CalendarDate?>)
        case mode(WritableKeyPath<Row, ClientMode>)
        case flags(WritableKeyPath<Row, [RiskFlag]>)
    }

    public let info: ReportColumnInfo
    public let field: Field

    init(_ name: String, _ kind: FigureKind, _ field: Field, group: String? = nil, sortable: Bool? = nil, key: Bool = false,
         _ summary: String) {
        let nullable = switch field {
        case .optionalInt64, .optionalDate: true
        default: false
        }
        info = ReportColumnInfo(
            name: name, group: group, kind: kind, nullable: nullable, sortable: sortable ?? (kind.isNumeric && group == nil),
            isKey: key, summary: summary)
        self.field = field
    }

    /// A reference (text), part of the key when `key` is set.
    static func reference(_ name: String, _ path: WritableKeyPath<Row, String>, key: Bool = false, _ summary: String) -> Self {
        Self(name, .reference, .text(path), key: key, summary)
    }

    /// Money in base minor units.
    static func money(_ name: String, _ path: WritableKeyPath<Row, Int64>, group: String? = nil, _ summary: String) -> Self {
        Self(name, .money, .int64(path), group: group, summary)
    }

    /// Money in base minor units, or null (a limit that is not set).
    static func optionalMoney(_ name: String, _ path: WritableKeyPath<Row, Int64?>, _ summary: String) -> Self {
        Self(name, .money, .optionalInt64(path), summary)
    }

    /// A date, or null.
    static func date(_ name: String, _ path: WritableKeyPath<Row, CalendarDate?>, _ summary: String) -> Self {
        Self(name, .date, .optionalDate(path), summary)
    }

    /// Basis points, null when the ratio's denominator is zero.
    static func ratio(_ name: String, _ path: WritableKeyPath<Row, Int64?>, _ summary: String) -> Self {
        Self(name, name.hasSuffix("_ppm") ? .ppm : .basisPoints, .optionalInt64(path), summary)
    }

    /// A count of things.
    static func count(_ name: String, _ path: WritableKeyPath<Row, Int>, _ summary: String) -> Self {
        Self(name, .count, .int(path), summary)
    }

    /// The flags raised on the row.
    static func flags(_ path: WritableKeyPath<Row, [RiskFlag]>) -> Self {
        Self("flags", .flags, .flags(path), "Flags raised on this row, in a stable order.")
    }

    /// The figure of `row` as JSON, money written with `exponent` minor digits.
    public func json(_ row: Row, exponent: Int) -> JSONText {
        switch field {
        case .text(let path): .string(row[keyPath: path])
        case .int64(let path):
            info.kind == .money ? .string(Money.format(row[keyPath: path], exponent: exponent)) : .integer(row[keyPath: path])
        case .optionalInt64(let path):
            info.kind == .money
                ? row[keyPath: path].map { .string(Money.format($0, exponent: exponent)) } ?? .null : .integer(row[keyPath: path])
        case .int(let path):
            info.kind == .tier ? .string(["A", "B", "C", "D"][row[keyPath: path] - 1]) : .integer(Int64(row[keyPath: path]))
        case .boolean(let path): .bool(row[keyPath: path])
        case .optionalDate(let path): row[keyPath: path].map { .string($0.description) } ?? .null
        case .mode(let path): .string(row[keyPath: path].rawValue)
        case .flags(let path): .array(row[keyPath: path].map { .string($0.rawValue) })
        }
    }
}

/// A row type of a report level: its figures in FORMATS.md's order, and a blank row to decode into.
public protocol ReportRow: Sendable, Equatable {
    /// Every figure of the row, in the order FORMATS.md lists them.
    static var columns: [ReportColumn<Self>] { get }
    /// A row with every figure zero or empty, which decoders fill in column by column.
    static var blank: Self { get }
}

extension ReportRow {
    /// The row as FORMATS.md's JSON object: the columns in order, those of a group nested in an
    /// object named after it, at the place of the group's first column.
    public func json(exponent: Int) -> JSONText {
        var members: [(String, JSONText)] = []
        for column in Self.columns {
            let value = column.json(self, exponent: exponent)
            guard let group = column.info.group else {
                members.append((column.info.name, value))
                continue
            }
            if let last = members.last, last.0 == group, case .object(var inner) = last.1 {
                inner.append((column.info.name, value))
                members[members.count - 1].1 = .object(inner)
            } else {
                members.append((group, .object([(column.info.name, value)])))
            }
        }
        return .object(members)
    }
}

extension ReportLevel {
    /// The figures of the level's rows, in order (the portfolio's scalar figures, without
    /// `flags_count` and `data_quality`).
    public var columns: [ReportColumnInfo] {
        switch self {
        case .pair: RiskReport.PairRow.columns.map(\.info)
        case .client: RiskReport.ClientRow.columns.map(\.info)
        case .debtor: RiskReport.DebtorRow.columns.map(\.info)
        case .group: RiskReport.GroupRow.columns.map(\.info)
        case .country: RiskReport.CountryRow.columns.map(\.info)
        case .portfolio: RiskReport.PortfolioRow.columns.map(\.info)
        }
    }

    /// The figure a level's rows may be sorted by, by its name.
    public func sortColumn(_ name: String) -> ReportColumnInfo? {
        columns.first { $0.sortable && $0.name == name }
    }

    /// The names of the figures a level's rows may be sorted by.
    public var sortable: [String] { columns.filter(\.sortable).map(\.name) }
}
