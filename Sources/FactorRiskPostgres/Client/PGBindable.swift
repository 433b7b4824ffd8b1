import FactorRiskCore

/// A Swift value that can be sent as a statement parameter, in PostgreSQL's text format.
///
/// Parameters always travel apart from the SQL text (`$1`, `$2`, …), so no value is ever
/// interpolated into a statement.
public protocol PGBindable: Sendable {
    /// The parameter's text as PostgreSQL's input function reads it.
    var pgText: String { get }
}

extension String: PGBindable {
    public var pgText: String { self }
}

extension Substring: PGBindable {
    public var pgText: String { String(self) }
}

extension Int: PGBindable {
    public var pgText: String { String(self) }
}

extension Int64: PGBindable {
    public var pgText: String { String(self) }
}

extension Int32: PGBindable {
    public var pgText: String { String(self) }
}

extension Bool: PGBindable {
    public var pgText: String { self ? "true" : "false" }
}

extension CalendarDate: PGBindable {
    public var pgText: String { description }
}

extension Array: PGBindable where Element == String {
    /// A `text[]` literal with every element quoted and escaped.
    public var pgText: String { PGTextArray(self).pgText }
}

/// A `bigint[]` parameter (a wrapper: `Array` already binds as `text[]`).
public struct PGBigintArray: PGBindable, Sendable {
    public var values: [Int64]

    public init(_ values: [Int64]) { self.values = values }

    public var pgText: String { "{\(values.map(String.init).joined(separator: ","))}" }
}
