/// One row of the worst single defaults (RULEBOOK.md §9.4): a group, what its default alone would
/// cost, and how many breaches it would add.
public struct WorstDefault: Sendable, Equatable {
    public var groupRef: String
    public var loss: Int64
    public var lossOwnFundsBP: Int64?
    /// The breaches its default alone would add (§9.4's `new_breaches`, in its order): the clients
    /// it would over-advance, the countries whose limits would break. The ranking counts them.
    public var newBreaches: [ScenarioOutcome.Breach]

    public init(groupRef: String, loss: Int64, lossOwnFundsBP: Int64?, newBreaches: [ScenarioOutcome.Breach]) {
        self.groupRef = groupRef
        self.loss = loss
        self.lossOwnFundsBP = lossOwnFundsBP
        self.newBreaches = newBreaches
    }

    /// The ranking's order: the largest loss first, ties by `group_ref` in byte order.
    public static func ranks(_ a: WorstDefault, before b: WorstDefault) -> Bool {
        a.loss != b.loss ? a.loss > b.loss : byteOrder(a.groupRef, b.groupRef)
    }

    /// The definition: for each group with `covered > 0` in the baseline, the scenario in which it
    /// alone defaults, one at a time; the first `limit` by `ranks(_:before:)`. The reference the
    /// set-based ranking of the production engine is tested against.
    public static func oneAtATime(_ portfolio: Portfolio, asOf date: CalendarDate, limit: Int) -> [WorstDefault] {
        let baseline = ReferenceEngine.compute(portfolio, asOf: date)
        let rows = baseline.groups.filter { $0.covered > 0 }.map { group in
            let scenario = Scenario(defaulted: [group.groupRef])
            let outcome = ScenarioOutcome(
                scenario: scenario, baseline: baseline, scenarioReport: ReferenceEngine.compute(portfolio, asOf: date, scenario: scenario),
                ownFunds: portfolio.tenant.ownFunds)
            return WorstDefault(groupRef: group.groupRef, loss: outcome.loss, lossOwnFundsBP: outcome.lossOwnFundsBP,
                                newBreaches: outcome.newBreaches)
        }
        return Array(rows.sorted(by: ranks).prefix(limit))
    }

    /// FORMATS.md's row: `{"group_ref", "loss", "loss_own_funds_bp", "new_breaches"}`, the breaches counted.
    public func json(exponent: Int) -> JSONText {
        .object([
            ("group_ref", .string(groupRef)), ("loss", .string(Money.format(loss, exponent: exponent))),
            ("loss_own_funds_bp", lossOwnFundsBP.map { .integer($0) } ?? .null), ("new_breaches", .integer(Int64(newBreaches.count))),
        ])
    }
}
