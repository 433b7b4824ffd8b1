@testable import FactorRiskHTTP
import FactorRiskPostgres
import FactorRiskTestSupport
import HummingbirdTesting
import Logging
import Synchronization
import Testing

/// Issue 14: a database outage wrote one log line per 503.
@Suite("repeated errors are logged once, then once an interval with their count")
struct ErrorLogTests {
    /// Seconds from an origin, as instants: the rule is tested with no clock and no waiting.
    static let origin = ContinuousClock.now
    static func at(_ seconds: Double) -> ContinuousClock.Instant { origin + .milliseconds(Int(seconds * 1000)) }

    @Test("the first error logs at once; the rest of its interval are counted; the first after it logs with the count")
    func oneLinePerInterval() {
        var log = RepeatedErrorLog<ContinuousClock.Instant>(interval: .seconds(10))
        #expect(log.record("db", at: Self.at(0)) == .log(suppressed: 0))
        for tenth in 1..<100 { #expect(log.record("db", at: Self.at(Double(tenth) / 10)) == .suppress) }
        // 99 left out from 0.1 s to 9.9 s; at 10 s one line says so.
        #expect(log.record("db", at: Self.at(10)) == .log(suppressed: 99))
        #expect(log.record("db", at: Self.at(15)) == .suppress)
        #expect(log.record("db", at: Self.at(25)) == .log(suppressed: 1))
        // Quiet for a while: the next one logs at once, with nothing left out.
        #expect(log.record("db", at: Self.at(100)) == .log(suppressed: 0))
    }

    @Test("each kind of error has its own interval")
    func kindsAreApart() {
        var log = RepeatedErrorLog<ContinuousClock.Instant>(interval: .seconds(10))
        #expect(log.record("db", at: Self.at(0)) == .log(suppressed: 0))
        #expect(log.record("internal", at: Self.at(1)) == .log(suppressed: 0))
        #expect(log.record("db", at: Self.at(2)) == .suppress)
        #expect(log.record("internal", at: Self.at(3)) == .suppress)
    }

    /// Collects what the server logs.
    struct Capture: LogHandler {
        let lines: Lines
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .info

        final class Lines: Sendable {
            let lines = Mutex<[String]>([])
            var all: [String] { lines.withLock { $0 } }
        }

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            if event.level >= .error { lines.lines.withLock { $0.append(event.message.description) } }
        }
    }

    @Test("200 requests during a database outage: 200 answers of 503, one log line")
    func outageLogsOnce() async throws {
        let pool = PGPool(.init(conninfo: "host=/nonexistent-factor-risk-socket connect_timeout=1", maxConnections: 1))
        let lines = Capture.Lines()
        let logger = Logger(label: "outage") { _ in Capture(lines: lines) }
        let application = APIServer.application(pool: pool, configuration: .init(host: "127.0.0.1", port: 0, keyCacheSeconds: 0), logger: logger)
        let started = ContinuousClock.now
        try await application.test(.live) { live in
            let client = HTTPTestClient(live)
            for _ in 0..<200 {
                let status = try await client.get("/readyz").status
                #expect(status == 503)
            }
        }
        let logged = lines.all.filter { $0.contains("database unavailable") }
        // One line, and one more per 10 s the run lasted on a loaded machine: never a line per answer.
        let seconds = Int((ContinuousClock.now - started).components.seconds)
        #expect(logged.count >= 1 && logged.count <= 1 + seconds / 10, "\(logged.count) lines in \(seconds) s: \(logged)")
    }
}
