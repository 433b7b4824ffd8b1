import Foundation

/// Finds the built `factor-risk` executable, beside the test bundle.
public enum BinaryLocator {
    public static func factorRisk() throws -> String {
        var candidates: [String] = []
        let testBinary = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folder = testBinary.deletingLastPathComponent()
        // On Linux the test bundle is a plain executable in the build folder; elsewhere it is a bundle.
        for _ in 0..<4 {
            candidates.append(folder.appendingPathComponent("factor-risk").path)
            folder.deleteLastPathComponent()
        }
        let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(packageRoot.appendingPathComponent(".build/debug/factor-risk").path)
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            return candidate
        }
        throw LocatorError(message: "factor-risk binary not found; looked at \(candidates)")
    }

    struct LocatorError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }
}
