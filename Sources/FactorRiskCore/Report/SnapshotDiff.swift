/// What changed between two snapshots of a tenant: breaches that appeared, cleared or worsened,
/// the limits in force that changed (RULEBOOK §9.1), and the limits and availabilities that moved
/// most. What an analyst reads first in the morning.
public struct SnapshotDiff: Sendable, Equatable {
    /// A breach flag that appeared, cleared, or is in both snapshots with a larger excess.
    public struct BreachChange: Sendable, Equatable {
        public enum Change: String, Sendable { case new, cleared, worsened }
        public var change: Change
        /// client, debtor, group or country.
        public var subject: String
        public var ref: String
        public var flag: RiskFlag
        /// By how much the subject is over its limit (see `excess`), before and after; nil where absent.
        public var before: Int64?
        public var after: Int64?

        public init(change: Change, subject: String, ref: String, flag: RiskFlag, before: Int64?, after: Int64?) {
            (self.change, self.subject, self.ref, self.flag, self.before, self.after) = (change, subject, ref, flag, before, after)
        }
    }

    /// A figure that moved between the two dates.
    public struct Movement: Sendable, Equatable {
        public var subject: String
        public var ref: String
        /// available_limit (debtor), availability (client) or limit (country).
        public var field: String
        public var before: Int64
        public var after: Int64
        public var delta: Int64 { after - before }

        public init(subject: String, ref: String, field: String, before: Int64, after: Int64) {
            (self.subject, self.ref, self.field, self.before, self.after) = (subject, ref, field, before, after)
        }
    }

    /// A limit in force that is not the same on the two dates: a debtor's credit limit or a pair's
    /// approval. Every one is listed (a cut or an expiry is news, however small), which the
    /// movements, kept to the largest, would not promise.
    public struct ChangedLimit: Sendable, Equatable {
        /// The pair's client; nil for a debtor's credit limit.
        public var clientRef: String?
        public var debtorRef: String
        public var before: Int64
        public var after: Int64

        public init(clientRef: String?, debtorRef: String, before: Int64, after: Int64) {
            (self.clientRef, self.debtorRef, self.before, self.after) = (clientRef, debtorRef, before, after)
        }

        /// "debtor" or "pair".
        public var subject: String { clientRef == nil ? "debtor" : "pair" }
        /// The report field that changed: `credit_limit` (debtor) or `approved` (pair).
        public var field: String { clientRef == nil ? "credit_limit" : "approved" }
        /// The debtor's ref, or the pair's as `client/debtor`, for outputs with one reference column.
        public var ref: String { clientRef.map { "\($0)/\(debtorRef)" } ?? debtorRef }
        public var delta: Int64 { after - before }
    }

    public var tenantRef: String
    public var currency: Currency
    public var from: CalendarDate
    public var to: CalendarDate
    /// New, then worsened, then cleared; each by subject and reference.
    public var breaches: [BreachChange]
    /// Debtors' credit limits (by debtor), then pairs' approvals (by client, then debtor), of the
    /// subjects in both snapshots; references in byte order.
    public var limits: [ChangedLimit]
    /// For each field, the `top` largest moves by size, largest first.
    public var movements: [Movement]

    /// A diff worked out elsewhere (in PostgreSQL), in the order `init(from:to:top:)` gives.
    public init(
        tenantRef: String, currency: Currency, from: CalendarDate, to: CalendarDate, breaches: [BreachChange], limits: [ChangedLimit],
        movements: [Movement]
    ) {
        (self.tenantRef, self.currency, self.from, self.to) = (tenantRef, currency, from, to)
        (self.breaches, self.limits, self.movements) = (breaches, limits, movements)
    }

    /// The amount a breach stands for: how far over its limit the subject is (for an embargo,
    /// its exposure; for an over-advance, how far availability is below zero; for a client holding
    /// the factor's cash, the cash it holds or the paid invoices it keeps open).
    static func excess(_ flag: RiskFlag, subject: Any) -> Int64? {
        switch (flag, subject) {
        case (.debtorLimitBreach, let debtor as RiskReport.DebtorRow): debtor.guaranteed - debtor.creditLimit
        case (.largeExposureBreach, let group as RiskReport.GroupRow): group.guaranteed - group.limit
        case (.countryLimitBreach, let country as RiskReport.CountryRow): country.guaranteed - country.limit
        case (.embargoExposure, let country as RiskReport.CountryRow): country.gross
        case (.overAdvance, let client as RiskReport.ClientRow): -client.availability
        case (.unremittedCollections, let client as RiskReport.ClientRow): client.unremitted
        case (.paidStillOpen, let client as RiskReport.ClientRow): client.ineligible.paid
        default: nil
        }
    }

    private struct Key: Hashable, Comparable {
        let subject: String
        let ref: String
        let flag: RiskFlag

        static func < (a: Key, b: Key) -> Bool {
            (a.subject, a.ref, a.flag.rawValue) < (b.subject, b.ref, b.flag.rawValue)
        }
    }

    private static func breaches(_ report: RiskReport) -> [Key: Int64?] {
        var found: [Key: Int64?] = [:]
        func add(_ subject: String, _ ref: String, _ flags: [RiskFlag], _ row: Any) {
            for flag in flags where flag.level == .breach { found[Key(subject: subject, ref: ref, flag: flag)] = excess(flag, subject: row) }
        }
        for row in report.clients { add("client", row.clientRef, row.flags, row) }
        for row in report.debtors { add("debtor", row.debtorRef, row.flags, row) }
        for row in report.groups { add("group", row.groupRef, row.flags, row) }
        for row in report.countries { add("country", row.country, row.flags, row) }
        return found
    }

    /// Compares `old` with `new` (two snapshots of one tenant); keeps the `top` largest moves of each figure.
    public init(from old: RiskReport, to new: RiskReport, top: Int = 10) {
        tenantRef = new.tenantRef
        currency = new.currency
        from = old.asOf
        to = new.asOf
        let before = Self.breaches(old)
        let after = Self.breaches(new)
        var changes: [BreachChange] = []
        for key in after.keys.sorted() {
            let now = after[key]!
            if let was = before[key] {
                if let was, let now, now > was {
                    changes.append(.init(change: .worsened, subject: key.subject, ref: key.ref, flag: key.flag, before: was, after: now))
                }
            } else {
                changes.append(.init(change: .new, subject: key.subject, ref: key.ref, flag: key.flag, before: nil, after: now))
            }
        }
        for key in before.keys.sorted() where after[key] == nil {
            changes.append(.init(change: .cleared, subject: key.subject, ref: key.ref, flag: key.flag, before: before[key]!, after: nil))
        }
        let order: [BreachChange.Change] = [.new, .worsened, .cleared]
        breaches = changes.enumerated().sorted {
            (order.firstIndex(of: $0.element.change)!, $0.offset) < (order.firstIndex(of: $1.element.change)!, $1.offset)
        }.map(\.element)

        limits = Self.changedLimits(old, new)

        func moves<Row>(_ subject: String, _ field: String, _ old: [Row], _ new: [Row], key: (Row) -> String, value: (Row) -> Int64) -> [Movement] {
            let previous = Dictionary(old.map { (key($0), value($0)) }, uniquingKeysWith: { a, _ in a })
            return new.compactMap { row -> Movement? in
                guard let was = previous[key(row)], was != value(row) else { return nil }
                return Movement(subject: subject, ref: key(row), field: field, before: was, after: value(row))
            }
            .sorted { (abs($0.delta), $1.ref) > (abs($1.delta), $0.ref) }
            .prefix(top).map { $0 }
        }
        movements = moves("debtor", "available_limit", old.debtors, new.debtors, key: \.debtorRef, value: \.availableLimit)
            + moves("client", "availability", old.clients, new.clients, key: \.clientRef, value: \.availability)
            + moves("country", "limit", old.countries, new.countries, key: \.country, value: \.limit)
    }

    /// The credit limits and approvals of `new` that differ from those of `old`, in `limits` order.
    static func changedLimits(_ old: RiskReport, _ new: RiskReport) -> [ChangedLimit] {
        func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }
        let limits = Dictionary(old.debtors.map { ($0.debtorRef, $0.creditLimit) }, uniquingKeysWith: { a, _ in a })
        let debtors = new.debtors.compactMap { row -> ChangedLimit? in
            guard let was = limits[row.debtorRef], was != row.creditLimit else { return nil }
            return ChangedLimit(clientRef: nil, debtorRef: row.debtorRef, before: was, after: row.creditLimit)
        }
        .sorted { byteOrder($0.debtorRef, $1.debtorRef) }
        struct Pair: Hashable { let client, debtor: String }
        let approvals = Dictionary(old.pairs.map { (Pair(client: $0.clientRef, debtor: $0.debtorRef), $0.approved) },
                                   uniquingKeysWith: { a, _ in a })
        let pairs = new.pairs.compactMap { row -> ChangedLimit? in
            guard let was = approvals[Pair(client: row.clientRef, debtor: row.debtorRef)], was != row.approved else { return nil }
            return ChangedLimit(clientRef: row.clientRef, debtorRef: row.debtorRef, before: was, after: row.approved)
        }
        .sorted { $0.clientRef != $1.clientRef ? byteOrder($0.clientRef!, $1.clientRef!) : byteOrder($0.debtorRef, $1.debtorRef) }
        return debtors + pairs
    }

    /// The diff as JSON: money as strings with the base currency's digits, as in every report.
    public var json: JSONText {
        func money(_ value: Int64?) -> JSONText { value.map { .string(Money.format($0, exponent: currency.exponent)) } ?? .null }
        return .object([
            ("tenant", .string(tenantRef)), ("from", .string(from.description)), ("to", .string(to.description)),
            ("currency", .string(currency.code)),
            ("breaches", .array(breaches.map {
                .object([("change", .string($0.change.rawValue)), ("subject", .string($0.subject)), ("ref", .string($0.ref)),
                         ("code", .string($0.flag.rawValue)), ("before", money($0.before)), ("after", money($0.after))])
            })),
            ("limits", .array(limits.map {
                .object([("subject", .string($0.subject)), ("client_ref", $0.clientRef.map(JSONText.string) ?? .null),
                         ("debtor_ref", .string($0.debtorRef)), ("field", .string($0.field)), ("before", money($0.before)),
                         ("after", money($0.after)), ("change", money($0.delta))])
            })),
            ("movements", .array(movements.map {
                .object([("subject", .string($0.subject)), ("ref", .string($0.ref)), ("field", .string($0.field)),
                         ("before", money($0.before)), ("after", money($0.after)), ("change", money($0.delta))])
            })),
        ])
    }
}
