/// One column of a bundle file (FORMATS.md): its CSV name, what it holds, and where it is stored.
///
/// Each file's columns are described once, in `BundleFile.columns`; the header check, the row
/// checks, the staging table's types and the merge's column lists are all derived from that list,
/// so that a column added or renamed in FORMATS.md is changed in one place.
public struct BundleColumn: Sendable, Equatable {
    /// The name in the CSV header (and the JSON member of an API write).
    public let name: String
    /// What a value must be, and how it is normalised for storage.
    public let kind: Kind
    /// Whether the field may be empty (stored as NULL).
    public let optional: Bool
    /// The column of the tenant's table it is merged into (a reference to another file's row is
    /// stored as that row's id, named by the referenced file's merge target instead).
    public let stored: String

    /// - Parameter stored: the table column when it differs from the CSV name.
    public init(_ name: String, _ kind: Kind, optional: Bool = false, stored: String? = nil) {
        self.name = name
        self.kind = kind
        self.optional = optional
        self.stored = stored ?? name
    }

    /// What a column holds.
    public enum Kind: Sendable, Equatable {
        /// A tenant reference: letters, digits, `. _ -`, at most 64, starting alphanumeric.
        case tenantRef
        /// A free reference (at most 64 characters, no control characters, no edge spaces); when
        /// `to` is set, it names a row of that file, which must exist in the bundle or be loaded already.
        case reference(to: BundleFile?)
        /// A display name, 1 to 200 characters.
        case name
        /// An ISO 3166 country code.
        case country
        /// An ISO 4217 currency code.
        case currency
        /// One of a few words, spelled exactly.
        case oneOf([String])
        /// A non-negative amount, stored in minor units of `currency`.
        case money(MoneyCurrency)
        /// A date in its one spelling, `YYYY-MM-DD`.
        case date
        /// `true` or `false`.
        case boolean
        /// A whole number within a range.
        case integer(ClosedRange<Int>)
        /// A positive decimal rate, stored in its canonical spelling.
        case rate
    }

    /// Which currency's minor digits an amount is written with.
    public enum MoneyCurrency: Sendable, Equatable {
        /// The tenant's base currency.
        case base
        /// The currency named in another column of the same row.
        case column(String)
        /// The currency of the document another column of the row names (a collection's amount):
        /// its minor digits are checked once the document is known, against the stored or staged row.
        case document(String)
    }
}
