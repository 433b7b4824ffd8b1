import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

/// What one key can make the server do through the live routes: dates within a range, a budget of
/// builds, builds shared by the requests that need them.
@Suite("live routes: the as_of range and the budget of builds per key")
struct LiveLimitsTests {
    /// The three live routes as of `date`.
    static func routes(_ date: String) -> [String] {
        ["/v1/debtors/D1/exposure?as_of=\(date)", "/v1/debtors/D1/check?client=C1&amount=1.00&as_of=\(date)",
         "/v1/clients/C2/availability?as_of=\(date)"]
    }

    @Test("as_of outside one year before the earliest snapshot (2026-11-20) to one year after today is 400 naming the range, on every live route")
    func asOfRange() async throws {
        try await APIHarness.run("api-live-range") { api in
            let client = api.client(api.read)
            let today = CalendarDate.today()
            let range = "from 2025-11-19 to \(today.adding(days: 366))"
            for date in ["9999-12-31", "0001-01-01", "2025-11-18", today.adding(days: 367).description] {
                for path in Self.routes(date) {
                    let answer = try await client.get(path)
                    #expect(answer.status == 400, "\(path): \(answer.body)")
                    #expect(answer.errorCode == "invalid_parameter", "\(path)")
                    #expect(answer.body.contains(range), "\(path): \(answer.body)")
                    guard case .array(let details)? = answer.json["error"]?["details"] else { Issue.record("no details: \(answer.body)"); continue }
                    #expect(details.first?["path"] == .string("as_of"))
                }
            }
            // The edges are in.
            #expect(try await client.get("/v1/debtors/D1/exposure?as_of=2025-11-19").status == 200)
            #expect(try await client.get("/v1/debtors/D1/exposure?as_of=\(today.adding(days: 366))").status == 200)
        }
    }

    @Test("a key that asks for more new dates than its budget gets 429 with Retry-After; built dates and other keys go on")
    func buildBudget() async throws {
        // 2 builds a minute: a burst of two, then one every 30 s, so that the test cannot outlast the
        // refill on a loaded machine (with the default 6, one every 10 s, six builds sometimes did).
        try await APIHarness.run("api-live-budget", liveBuildsPerMinute: 2) { api in
            let client = api.client(api.read)
            // Three dates asked by one key: the third is one build too many.
            for day in 1...2 {
                let answer = try await client.get("/v1/debtors/D1/exposure?as_of=2026-11-0\(day)")
                #expect(answer.status == 200, "day \(day): \(answer.body)")
            }
            for path in Self.routes("2026-11-03") {
                let refused = try await client.get(path)
                #expect(refused.status == 429, "\(path): \(refused.body)")
                #expect(refused.errorCode == "rate_limited")
                let retryAfter = try #require(refused.headers["retry-after"].flatMap { Int($0) })
                #expect((1...60).contains(retryAfter))
            }
            // A date whose state exists costs no build: answered, as often as asked.
            for _ in 0..<10 { #expect(try await client.get("/v1/debtors/D1/exposure?as_of=2026-11-02").status == 200) }
            // Another key of the tenant has a budget of its own.
            #expect(try await api.client(api.write).get("/v1/debtors/D1/exposure?as_of=2026-11-03").status == 200)
        }
    }

    @Test("requests that arrive together for a new date share one build: with a budget of one, all are answered")
    func sharedBuild() async throws {
        try await APIHarness.run("api-live-shared", liveBuildsPerMinute: 1) { api in
            // A connection per request, so that they are in flight together.
            let client = HTTPTestClient(port: try #require(api.live.port), token: api.read)
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<8 {
                    let path = Self.routes("2026-11-20")[index % 3]
                    group.addTask { try await client.get(path).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: 8))
            #expect(try await client.get("/v1/debtors/D1/exposure?as_of=2026-11-19").status == 429)
        }
    }
}
