import Foundation

/// Output compared byte for byte with a file committed under `Tests/Fixtures/golden/`.
///
/// A refactoring must not change a byte of what the service writes, and a reader of a diff must
/// see every byte a deliberate change does alter: the golden files are that record. When a change
/// to the output is intended, run the tests once with `FACTOR_RISK_UPDATE_GOLDEN=1`: the files are
/// rewritten from the new output, and `git diff` shows what changed.
public enum Golden {
    /// The folder of the golden files.
    public static let folder = "\(Fixtures.packageRoot)/Tests/Fixtures/golden"

    /// Set to `1` to rewrite the golden files from the output instead of comparing.
    public static let updateVariable = "FACTOR_RISK_UPDATE_GOLDEN"

    /// Compares `bytes` with the golden file `name` (a path under the golden folder); nil when they
    /// are equal (or the file was just rewritten), otherwise a message that says where they first
    /// differ and how to regenerate the file.
    public static func mismatch(_ bytes: [UInt8], name: String) -> String? {
        let path = "\(folder)/\(name)"
        if ProcessInfo.processInfo.environment[updateVariable] == "1" {
            do {
                try FileManager.default.createDirectory(
                    atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                return nil
            } catch {
                return "could not write the golden file \(path): \(error)"
            }
        }
        let regenerate = "If the change is intended, rewrite the golden files with "
            + "`\(updateVariable)=1 swift test --filter Golden` and commit them with the change."
        guard let data = FileManager.default.contents(atPath: path) else {
            return "no golden file \(path). \(regenerate)"
        }
        let golden = Array(data)
        guard golden != bytes else { return nil }
        let first = (0..<min(golden.count, bytes.count)).first { golden[$0] != bytes[$0] } ?? min(golden.count, bytes.count)
        return "\(name) differs from its golden file at byte \(first) (golden \(golden.count) bytes, output \(bytes.count)): "
            + "golden …\(excerpt(golden, at: first))… output …\(excerpt(bytes, at: first))…. \(regenerate)"
    }

    /// `mismatch` of a text, as its UTF-8 bytes.
    public static func mismatch(_ text: String, name: String) -> String? {
        mismatch(Array(text.utf8), name: name)
    }

    /// A few bytes either side of `offset`, as text, to show where two outputs part.
    static func excerpt(_ bytes: [UInt8], at offset: Int) -> String {
        let range = max(0, offset - 40)..<min(bytes.count, offset + 40)
        return String(decoding: bytes[range], as: UTF8.self)
    }
}
