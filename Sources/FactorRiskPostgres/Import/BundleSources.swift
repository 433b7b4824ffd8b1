import FactorRiskCore
import Foundation

/// The files an import reads, chosen and checked before it connects to the database.
///
/// Every name in the folder is judged by `BundleEntry`: a known file must be one that can be read
/// (`BundleInputFile`), a name FORMATS.md does not know is refused, hidden files, Markdown notes
/// and subfolders (an example's `expected/`) are passed over. Whatever is wrong is reported
/// together, and nothing is written.
struct BundleSources {
    /// policy.json is parsed whole: it is refused above this size (a real one is a few hundred bytes).
    static let policySizeLimit = 1_048_576

    /// The CSV files to load, in FORMATS.md's order, with their paths.
    private(set) var files: [(BundleFile, String)] = []
    /// The path of policy.json, when there is one.
    private(set) var policyPath: String?

    /// The bundle in folder `directory`; `maxIssues` problems are listed in full, the rest counted.
    init(directory: String, maxIssues: Int) throws(BundleImporter.Failure) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw Self.failure([BundleIssue(file: directory, message: "no such folder")])
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: directory)
        } catch {
            throw Self.failure([BundleIssue(file: directory, message: "cannot be listed: \(error.localizedDescription)")])
        }
        var issues: [BundleIssue] = []
        for name in names.sorted() {
            let path = (directory as NSString).appendingPathComponent(name)
            let entry = BundleEntry(name: name)
            if entry == .ignored { continue }
            if entry == .unknown {
                var isFolder: ObjCBool = false
                if !FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) || !isFolder.boolValue {
                    issues.append(BundleEntry.unknownName(name))
                }
                continue
            }
            do throws(BundleIssue) {
                try add(entry, path: path, name: name)
            } catch {
                issues.append(error)
            }
        }
        guard issues.isEmpty else { throw Self.failure(Array(issues.prefix(maxIssues)), total: issues.count) }
        guard !files.isEmpty || policyPath != nil else {
            throw Self.failure([BundleIssue(file: directory, message: "holds none of the bundle's files (\(BundleEntry.knownNames.joined(separator: ", ")))")])
        }
        files.sort { BundleFile.allCases.firstIndex(of: $0.0)! < BundleFile.allCases.firstIndex(of: $1.0)! }
    }

    /// The one file at `path`, recognised by its name (`documents.csv`, `policy.json`, …).
    init(file path: String) throws(BundleImporter.Failure) {
        let entry = BundleEntry(name: (path as NSString).lastPathComponent)
        do throws(BundleIssue) {
            guard entry != .ignored, entry != .unknown else { throw BundleEntry.unknownName(path) }
            try add(entry, path: path, name: path)
        } catch {
            throw Self.failure([error])
        }
    }

    /// Checks that the file can be read and keeps it; issues name it `name`.
    private mutating func add(_ entry: BundleEntry, path: String, name: String) throws(BundleIssue) {
        let input = try BundleInputFile(path: path, name: name)
        switch entry {
        case .csv(let file):
            files.append((file, path))
        case .policy:
            guard input.size <= Self.policySizeLimit else {
                throw BundleIssue(file: name, message: "is \(input.size) bytes; a policy.json is at most \(Self.policySizeLimit)")
            }
            policyPath = path
        case .ignored, .unknown:
            preconditionFailure("only bundle files are added")
        }
    }

    private static func failure(_ issues: [BundleIssue], total: Int? = nil) -> BundleImporter.Failure {
        BundleImporter.Failure(issues: issues, total: total ?? issues.count)
    }
}
