import FactorRiskCore

/// Where a bundle generator writes its rows: a CSV folder, a `COPY` stream, a test's memory.
///
/// A protocol rather than a concrete writer so the core stays free of I/O (STYLE.md): the
/// generator only decides *what* the rows are, and each adapter decides where they go. Rows arrive
/// one at a time, so a sink that streams (to a file or to PostgreSQL) never holds a whole
/// ten-million-document bundle in memory.
public protocol BundleSink {
    /// Starts `file`; its header is `file.columns`, and every following `row` belongs to it
    /// until the matching `end`.
    mutating func begin(_ file: BundleFile) throws

    /// One row of the current file: the fields in `columns` order, already formatted as
    /// FORMATS.md says (money with the currency's minor digits, `YYYY-MM-DD`, `true`/`false`,
    /// an empty string for an absent optional), not yet CSV-quoted.
    mutating func row(_ fields: [String]) throws

    /// Ends `file`, so a sink can flush or close it before the next file begins.
    mutating func end(_ file: BundleFile) throws
}
