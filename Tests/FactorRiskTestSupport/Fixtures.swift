import Foundation

/// Test bundles: the rulebook's worked example, and folders a test writes its own files into.
public enum Fixtures {
    /// The package's root folder.
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// The worked example of RULEBOOK.md §7 (a copy of the shared bundle, with its expected reports).
    public static let workedExample = "\(packageRoot)/Tests/Fixtures/worked"
    /// The limits example (RULEBOOK.md §9): limits in time, credit insurance, what-if scenarios.
    public static let limitsExample = "\(packageRoot)/Tests/Fixtures/limits"

    /// The folder under which this test process writes its bundles; removed when the process exits.
    static let scratchRoot: String = {
        let root = "/tmp/factor-risk-bundle-\(getpid())"
        try? FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        atexit { try? FileManager.default.removeItem(atPath: "/tmp/factor-risk-bundle-\(getpid())") }
        return root
    }()

    /// A new folder holding a copy of the worked example's CSV files, for a test to alter.
    public static func workedExampleCopy(_ label: String) throws -> String {
        let folder = "\(scratchRoot)/\(label)-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: workedExample) where name.hasSuffix(".csv") {
            try FileManager.default.copyItem(atPath: "\(workedExample)/\(name)", toPath: "\(folder)/\(name)")
        }
        return folder
    }

    /// Writes `text` as `name` in `folder`.
    public static func write(_ text: String, _ name: String, in folder: String) throws {
        try text.write(toFile: "\(folder)/\(name)", atomically: true, encoding: .utf8)
    }
}
