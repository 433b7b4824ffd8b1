import FactorRiskCore
import FactorRiskSynthetic
import Foundation

/// Collects a generated bundle's files as bytes, and can write them to a folder for an import.
public struct MemoryBundleSink: BundleSink {
    public private(set) var files: [BundleFile: [UInt8]] = [:]
    private var current: BundleFile?

    public init() {}

    public mutating func begin(_ file: BundleFile) throws {
        current = file
        files[file] = Array(CSVEncoding.line(file.header).utf8)
    }

    public mutating func row(_ fields: [String]) throws {
        files[current!]!.append(contentsOf: CSVEncoding.line(fields).utf8)
    }

    public mutating func end(_ file: BundleFile) throws { current = nil }

    /// Writes the files into `folder`, creating it.
    public func write(to folder: String) throws {
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (file, bytes) in files {
            try Data(bytes).write(to: URL(fileURLWithPath: "\(folder)/\(file.fileName)"))
        }
    }
}
