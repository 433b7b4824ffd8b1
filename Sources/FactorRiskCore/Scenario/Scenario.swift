/// A what-if scenario (RULEBOOK.md §9.4): groups of debtors that default, and countries whose risk
/// grade changes. The empty scenario is the baseline.
public struct Scenario: Sendable, Equatable, Hashable {
    /// The defaulted groups, by the group reference of §4.6 (a debtor without a group is its own,
    /// named by its `debtor_ref`); sorted in byte order, without repeats.
    public var defaulted: [String]
    /// The new grade of each named country (ISO 3166 alpha-2), 0 to 7.
    public var grades: [String: Int]

    public init(defaulted: [String] = [], grades: [String: Int] = [:]) {
        self.defaulted = Array(Set(defaulted)).sorted(by: byteOrder)
        self.grades = grades
    }

    /// Whether the scenario changes nothing.
    public var isBaseline: Bool { defaulted.isEmpty && grades.isEmpty }

    /// The scenario as FORMATS.md writes it: `{"defaulted": [...], "grades": {"CC": G}}`, countries in byte order.
    public var json: JSONText {
        .object([
            ("defaulted", .array(defaulted.map { .string($0) })),
            ("grades", .object(grades.keys.sorted(by: byteOrder).map { ($0, .integer(Int64(grades[$0]!))) })),
        ])
    }
}
