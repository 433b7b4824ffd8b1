// Turns the numbered migration files into Swift source, so the executable carries its schema.
//
// Usage: EmbedSQL OUTPUT.swift FILE.sql...
// Each file must be named NNNN_name.sql (four digits, lower-case name); numbers must be unique.
import Foundation

let arguments = CommandLine.arguments.dropFirst()
guard let output = arguments.first else {
    FileHandle.standardError.write(Data("usage: EmbedSQL OUTPUT.swift FILE.sql...\n".utf8))
    exit(64)
}

struct Entry {
    let version: Int
    let name: String
    let text: String
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    exit(1)
}

var entries: [Entry] = []
for path in arguments.dropFirst() {
    let file = URL(fileURLWithPath: path).lastPathComponent
    let parts = file.split(separator: "_", maxSplits: 1)
    guard file.hasSuffix(".sql"), parts.count == 2, parts[0].count == 4, let version = Int(parts[0]),
        parts[1].dropLast(4).allSatisfy({ $0.isLowercase || $0.isNumber || $0 == "_" }), !parts[1].dropLast(4).isEmpty
    else {
        fail("\(path): migration files are named NNNN_name.sql (four digits, lower-case letters, digits and _)")
    }
    guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8) else {
        fail("\(path): cannot read as UTF-8")
    }
    if let other = entries.first(where: { $0.version == version }) {
        fail("\(path): number \(parts[0]) is also used by \(other.name)")
    }
    entries.append(Entry(version: version, name: String(parts[1].dropLast(4)), text: text))
}
entries.sort { $0.version < $1.version }

/// A raw string delimiter longer than any run of # that follows a quote in the text.
func delimiter(for text: String) -> String {
    var longest = 0
    var run = -1
    for character in text {
        if character == "\"" {
            run = 0
        } else if character == "#", run >= 0 {
            run += 1
            longest = max(longest, run)
        } else {
            run = -1
        }
    }
    return String(repeating: "#", count: longest + 1)
}

var source = "// Generated at build time from sql/*.sql by EmbedSQL. Do not edit.\n\n"
source += "let embeddedMigrations: [Migration] = [\n"
for entry in entries {
    let hashes = delimiter(for: entry.text)
    source += "    Migration(version: \(entry.version), name: \"\(entry.name)\", sql: \(hashes)\"\"\"\n"
    source += entry.text.hasSuffix("\n") ? entry.text : entry.text + "\n"
    source += "\"\"\"\(hashes)),\n"
}
source += "]\n"
do {
    try Data(source.utf8).write(to: URL(fileURLWithPath: output))
} catch {
    fail("cannot write \(output): \(error)")
}
