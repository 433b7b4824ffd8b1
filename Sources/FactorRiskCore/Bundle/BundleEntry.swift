/// What a name found in a bundle folder is to the import (README, "Importing a bundle").
///
/// The folder is judged before anything is read: a name FORMATS.md does not know is refused, not
/// skipped, so a misspelt `document.csv` or a `Documents.CSV` from another system cannot leave a
/// nightly import loading nothing and exiting 0. The known names come from `BundleFile` alone: a
/// file added there is known here.
public enum BundleEntry: Equatable, Sendable {
    /// One of the bundle's CSV files.
    case csv(BundleFile)
    /// The policy overrides (`policy.json`).
    case policy
    /// Hidden files (`.DS_Store`, an editor's `.documents.csv.swp`) and Markdown notes
    /// (`README.md`): put beside the data by tools and people, never data themselves.
    case ignored
    /// A name FORMATS.md does not know.
    case unknown

    /// The entry a file name stands for; names are exact (`Documents.CSV` is not `documents.csv`).
    public init(name: String) {
        if let file = BundleFile.allCases.first(where: { $0.fileName == name }) {
            self = .csv(file)
        } else if name == BundleFile.policyFileName {
            self = .policy
        } else if name.hasPrefix(".") || name.lowercased().hasSuffix(".md") {
            self = .ignored
        } else {
            self = .unknown
        }
    }

    /// Every name a bundle's file may have, CSV files in FORMATS.md's order, then `policy.json`.
    public static var knownNames: [String] { BundleFile.allCases.map(\.fileName) + [BundleFile.policyFileName] }

    /// The refusal of `file`, whose name is not one of `knownNames`.
    public static func unknownName(_ file: String) -> BundleIssue {
        return BundleIssue(file: file, message: "not a bundle file name (a bundle's files are \(knownNames.joined(separator: ", ")))")
    }
}
