/// What a scenario costs against the baseline (RULEBOOK.md §9.4): the loss of the defaulted
/// groups, as a share of own funds, and the breaches that appear and clear.
public struct ScenarioOutcome: Sendable, Equatable {
    /// A breach-level flag (§6) raised on one subject.
    public struct Breach: Sendable, Hashable, Comparable {
        /// `client`, `debtor`, `group` or `country`: the level of row the flag is raised on.
        public var level: String
        public var subject: String
        public var code: RiskFlag

        public init(level: String, subject: String, code: RiskFlag) {
            self.level = level
            self.subject = subject
            self.code = code
        }

        /// §9.4: by level in the order client, debtor, group, country, then subject, then code (byte order).
        public static func < (a: Breach, b: Breach) -> Bool {
            let (x, y) = (Self.levels.firstIndex(of: a.level) ?? 4, Self.levels.firstIndex(of: b.level) ?? 4)
            if x != y { return x < y }
            if a.subject != b.subject { return byteOrder(a.subject, b.subject) }
            return byteOrder(a.code.rawValue, b.code.rawValue)
        }

        static let levels = ["client", "debtor", "group", "country"]
    }

    public var scenario: Scenario
    /// The sum of the baseline's net loss (§9.3) over the debtors of the defaulted groups.
    public var loss: Int64
    /// ratio_bp(loss, own_funds); nil when own funds are 0.
    public var lossOwnFundsBP: Int64?
    public var newBreaches: [Breach]
    public var clearedBreaches: [Breach]

    /// The outcome of `scenario`, from the baseline report and the scenario's report of one tenant and date.
    public init(scenario: Scenario, baseline: RiskReport, scenarioReport: RiskReport, ownFunds: Int64) {
        self.scenario = scenario
        let defaulted = Set(scenario.defaulted)
        loss = baseline.debtors.filter { defaulted.contains($0.groupRef) }.reduce(0) { $0 + $1.netLoss }
        lossOwnFundsBP = Rulebook.ratioBP(loss, ownFunds)
        let before = Self.breaches(baseline)
        let after = Self.breaches(scenarioReport)
        newBreaches = after.subtracting(before).sorted()
        clearedBreaches = before.subtracting(after).sorted()
    }

    /// The breach-level flags of every client, debtor, group and country row of `report`.
    public static func breaches(_ report: RiskReport) -> Set<Breach> {
        var found = Set<Breach>()
        func add(_ level: String, _ subject: String, _ flags: [RiskFlag]) {
            for flag in flags where flag.level == .breach { found.insert(Breach(level: level, subject: subject, code: flag)) }
        }
        for row in report.clients { add("client", row.clientRef, row.flags) }
        for row in report.debtors { add("debtor", row.debtorRef, row.flags) }
        for row in report.groups { add("group", row.groupRef, row.flags) }
        for row in report.countries { add("country", row.country, row.flags) }
        return found
    }

    /// FORMATS.md's answer: `{"tenant", "as_of", "currency", "scenario", "loss", "loss_own_funds_bp",
    /// "new_breaches", "cleared_breaches"}`, money with `currency`'s minor digits.
    public func json(tenant: String, asOf: CalendarDate, currency: Currency) -> JSONText {
        func list(_ breaches: [Breach]) -> JSONText {
            .array(breaches.map {
                .object([("level", .string($0.level)), ("subject", .string($0.subject)), ("code", .string($0.code.rawValue))])
            })
        }
        return .object([
            ("tenant", .string(tenant)), ("as_of", .string(asOf.description)), ("currency", .string(currency.code)),
            ("scenario", scenario.json), ("loss", .string(Money.format(loss, exponent: currency.exponent))),
            ("loss_own_funds_bp", lossOwnFundsBP.map { .integer($0) } ?? .null),
            ("new_breaches", list(newBreaches)), ("cleared_breaches", list(clearedBreaches)),
        ])
    }
}
