import FactorRiskCore
import FactorRiskPostgres
import Foundation

/// Writes a row level's report to standard output a batch of rows at a time: CSV with one header
/// line, or JSON laid out byte for byte as the whole document would be (`JSONText.rendered()`).
/// A table needs every row's width first: its rows are kept and written at the end.
struct ReportStreamWriter: SnapshotRowSink {
    let level: ReportLevel
    let format: ReportCommand.Format
    private var json: Bool { format == .json }
    private var rowsWritten = 0
    private var header: RiskReport?
    private var tableRows: [JSONText] = []

    init(level: ReportLevel, format: ReportCommand.Format) {
        self.level = level
        self.format = format
    }

    mutating func begin(_ header: RiskReport) {
        self.header = header
        if json {
            // The document with no rows ends in `"rows": []` and the closing brace: keep what comes before the array.
            var prefix = header.json(level).renderedUTF8()
            let tail = Array("[]\n}".utf8)
            precondition(prefix.count >= tail.count && Array(prefix.suffix(tail.count)) == tail, "a row level's JSON ends with its rows")
            prefix.removeLast(tail.count)
            Self.output(prefix)
        }
    }

    mutating func write(_ batch: RiskReport) {
        let currency = batch.currency
        let document = batch.json(level)
        guard case .object(let members) = document, case .array(let rows)? = members.last?.1, !rows.isEmpty else { return }
        if format == .table {
            tableRows += rows
        } else if json {
            var bytes: [UInt8] = []
            for row in rows {
                bytes.append(contentsOf: rowsWritten == 0 ? Array("[\n".utf8) : Array(",\n".utf8))
                bytes.append(contentsOf: [0x20, 0x20])
                bytes.append(contentsOf: row.renderedUTF8(level: 2))
                rowsWritten += 1
            }
            Self.output(bytes)
        } else {
            Self.output(Array(ReportTable(json: document, level: level, currency: currency).csv(header: rowsWritten == 0).utf8))
            rowsWritten += rows.count
        }
    }

    func finish() {
        if format == .table {
            guard let header, case .object(var members) = header.json(level) else { return }
            members[members.count - 1].1 = .array(tableRows)
            print(ReportTable(json: .object(members), level: level, currency: header.currency).table())
        } else if json {
            Self.output(Array((rowsWritten == 0 ? "[]\n}\n" : "\n ]\n}\n").utf8))
        }
    }

    private static func output(_ bytes: [UInt8]) {
        FileHandle.standardOutput.write(Data(bytes))
    }
}
