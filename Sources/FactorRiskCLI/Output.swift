import Foundation

/// Writes a line to standard error (messages for people, kept apart from a command's output).
func printError(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
}
