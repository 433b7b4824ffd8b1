/// A checked row of a bundle file, read by column name rather than by a position kept in step
/// with the file's description by hand.
public struct BundleRecord: Sendable {
    /// The normalised values, in `file.columns` order (as `BundleRowValidator` gives them).
    public let values: [String?]
    /// Each column's position in `values`, shared by every record of a file.
    private let positions: [String: Int]

    /// The reader of `file`'s records: build it once per file, then one record per row.
    public struct Reader: Sendable {
        let positions: [String: Int]

        public init(_ file: BundleFile) {
            positions = Dictionary(uniqueKeysWithValues: file.header.enumerated().map { ($1, $0) })
        }

        public func record(_ values: [String?]) -> BundleRecord { BundleRecord(values: values, positions: positions) }
    }

    /// The value of column `name` (nil when empty and optional); a name the file lacks is a programming error.
    public subscript(_ name: String) -> String? {
        guard let position = positions[name] else { preconditionFailure("no column \(name)") }
        return values[position]
    }
}
