@testable import FactorRiskCLI
import FactorRiskCore
import Foundation
import Testing

/// The demo's morning summary lists the clients that failed with the factor's cash, from the
/// report rows: the cash example of RULEBOOK.md §8.6 through the reference engine.
@Suite("Morning summary")
struct MorningSummaryTests {
    static func cashExample() throws -> RiskReport {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/cash").path
        var files: [BundleFile: [UInt8]] = [:]
        for file in BundleFile.allCases {
            if let data = FileManager.default.contents(atPath: "\(folder)/\(file.fileName)") { files[file] = Array(data) }
        }
        let portfolio = try Portfolio(bundle: files, policy: FileManager.default.contents(atPath: "\(folder)/policy.json").map(Array.init))
        return ReferenceEngine.compute(portfolio, asOf: CalendarDate(iso: "2026-11-20")!)
    }

    static func summary(_ report: RiskReport) -> [String] {
        let input = HTMLReportInput(tenantName: "Cash Factor", report: report, history: [], ageing: [], computedAt: "2026-11-21 02:00 UTC")
        return MorningSummary(input: input).text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    }

    @Test("K1 is the one cash breach: unremitted 10,000.00 for 35 days and 50,000.00 paid still open")
    func cashBreaches() throws {
        let lines = Self.summary(try Self.cashExample())
        let heading = try #require(lines.firstIndex(of: "Cash breaches (1 client; unremitted 10,000.00 in all):"))
        let table = lines[(heading + 1)...].prefix { !$0.isEmpty }
        #expect(table.count == 3)  // header, rule, K1
        let cells = table.last?.split(separator: " ").map(String.init)
        #expect(cells == ["K1", "delegated", "10,000.00", "35", "50,000.00", "UNREMITTED_COLLECTIONS", "PAID_STILL_OPEN"])
    }

    @Test("no cash breach says none; the largest cash at stake comes first and ten at most are listed")
    func ordering() throws {
        var report = try Self.cashExample()
        report.clients = report.clients.map { client in
            var client = client
            client.flags.removeAll { $0 == .unremittedCollections || $0 == .paidStillOpen }
            return client
        }
        #expect(Self.summary(report).contains("  none"))
        let clean = report.clients[0]
        report.clients = (1...12).map { index in
            var client = clean
            client.clientRef = "X\(index < 10 ? "0" : "")\(index)"
            client.unremitted = Int64(index) * 100_000
            client.ineligible.paid = 0
            client.flags = [.unremittedCollections]
            return client
        }
        let lines = Self.summary(report)
        let heading = try #require(lines.firstIndex { $0.hasPrefix("Cash breaches (12 clients;") })
        let refs = lines[(heading + 3)...].prefix { !$0.isEmpty }.compactMap { $0.split(separator: " ").first.map(String.init) }
        #expect(refs == ["X12", "X11", "X10", "X09", "X08", "X07", "X06", "X05", "X04", "X03", "…"])
        #expect(lines.contains("  … and 2 more"))
    }
}
