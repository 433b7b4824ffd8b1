import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

/// What bounds the live states: the dates they may be built for, builds shared by the requests
/// that need them, and the least recently used state evicted.
@Suite("live states: the date range, shared builds, eviction")
struct LiveBoundsTests {
    static func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    @Test("the range runs from 366 days before the earliest snapshot (or today, when earlier or none) to 366 days after today")
    func dateRange() {
        let today = Self.date("2026-11-27")
        let none = LiveDateRange(earliestSnapshot: nil, today: today)
        #expect(none.description == "from 2025-11-26 to 2027-11-28")
        #expect(none.contains(Self.date("2025-11-26")) && none.contains(Self.date("2027-11-28")))
        #expect(!none.contains(Self.date("2025-11-25")) && !none.contains(Self.date("2027-11-29")))
        #expect(LiveDateRange(earliestSnapshot: Self.date("2020-03-01"), today: today).description == "from 2019-03-01 to 2027-11-28")
        // A snapshot computed ahead of today does not move the start past a year before today.
        #expect(LiveDateRange(earliestSnapshot: Self.date("2027-06-30"), today: today).description == "from 2025-11-26 to 2027-11-28")
        // At the calendar's ends the range stops at its first and last days instead of leaving it.
        #expect(LiveDateRange(earliestSnapshot: Self.date("0001-06-01"), today: today).earliest == Self.date("0001-01-01"))
        #expect(LiveDateRange(earliestSnapshot: nil, today: Self.date("9999-06-01")).latest == Self.date("9999-12-31"))
        #expect(!none.contains(Self.date("9999-12-31")) && !none.contains(Self.date("0001-01-01")))
    }

    @Test("requests for one state while it is being built wait for that build: one build, one admission")
    func sharedBuilds() async throws {
        let builds = LiveBuilds()
        let counts = Locked((admitted: 0, built: 0))
        let gate = AsyncStream<Void>.makeStream()
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    try await builds.build(tenantID: 1, asOf: Self.date("2026-11-20"), admit: { counts.withLock { $0.admitted += 1 } }) {
                        counts.withLock { $0.built += 1 }
                        for await _ in gate.stream {}
                    }
                }
            }
            // Every request has joined the one build before it is let finish.
            while builds.count == 0 { try await Task.sleep(for: .milliseconds(5)) }
            try await Task.sleep(for: .milliseconds(200))
            gate.continuation.finish()
            try await group.waitForAll()
        }
        #expect(counts.value.admitted == 1)
        #expect(counts.value.built == 1)
        #expect(builds.count == 0)
        // Another date, or the same one once its build is over, is a build of its own.
        try await builds.build(tenantID: 1, asOf: Self.date("2026-11-20"), admit: { counts.withLock { $0.admitted += 1 } }) {
            counts.withLock { $0.built += 1 }
        }
        #expect(counts.value == (admitted: 2, built: 2))
    }

    struct Refused: Error {}

    @Test("a build its admission refuses does not start, and the refusal reaches the request")
    func refusedBuild() async throws {
        let builds = LiveBuilds()
        let built = Locked(false)
        await #expect(throws: Refused.self) {
            try await builds.build(tenantID: 1, asOf: Self.date("2026-11-20"), admit: { throw Refused() }) { built.withLock { $0 = true } }
        }
        #expect(!built.value)
        #expect(builds.count == 0)
    }

    @Test("a fourth date evicts the least recently used state, not the least recently built")
    func leastRecentlyUsed() async throws {
        let database = try await TestCluster.shared.freshDatabase("live-lru")
        let pool = database.pool(maxConnections: 2)
        defer { pool.close() }
        let tenant = try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo").tenantID
        func prepare(_ date: String) async throws {
            try await pool.tenantBulkTransaction(tenant) { try LiveEngine.prepare($0, tenantID: tenant, asOf: Self.date(date)) }
        }
        func states() async throws -> [String] {
            try await pool.withConnection { connection in
                try connection.query("SELECT as_of::text FROM live_states WHERE tenant_id = $1 ORDER BY as_of", [tenant]).rows
                    .map { try $0.decode(String.self, at: 0) }
            }
        }
        for date in ["2026-11-01", "2026-11-02", "2026-11-03"] { try await prepare(date) }
        // An hour later, the first date built is read again; the other two are not.
        // (Times given per state, a second apart in the order built: Citus computes a time on the coordinator,
        // which it cannot do from a column's value.)
        let setter = try database.connect()
        for (order, date) in ["2026-11-01", "2026-11-02", "2026-11-03"].enumerated() {
            try setter.query("""
                UPDATE live_states SET built_at = now() - interval '1 hour' + $1::integer * interval '1 second',
                                       used_at = now() - interval '1 hour' + $1::integer * interval '1 second'
                WHERE tenant_id = $2 AND as_of = $3::date
                """, [order, tenant, date])
        }
        try await prepare("2026-11-01")
        try await prepare("2026-11-04")
        #expect(try await states() == ["2026-11-01", "2026-11-03", "2026-11-04"])
        // Evicted with every row of its date.
        let left = try await pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM live_pairs WHERE tenant_id = $1 AND as_of = '2026-11-02'", [tenant]).first!.decode(Int.self, at: 0)
        }
        #expect(left == 0)
    }

    @Test("a builder that waited for another's build of the same state finds it built and builds nothing")
    func waiterDoesNotRebuild() async throws {
        let database = try await TestCluster.shared.freshDatabase("live-waiter")
        let pool = database.pool(maxConnections: 2)
        defer { pool.close() }
        let tenant = try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo").tenantID
        let date = Self.date("2026-11-20")
        // The first builder holds its transaction open after building, as a slow one would.
        let first = try database.connect()
        try first.execute("BEGIN")
        for statement in TenantScope(id: tenant).bulkPrologue { try first.execute(statement) }
        try LiveEngine.prepare(first, tenantID: tenant, asOf: date)
        let second = Task { try await pool.tenantBulkTransaction(tenant) { try LiveEngine.prepare($0, tenantID: tenant, asOf: date) } }
        // Until the second builder waits for the tenant's live lock.
        let key = TenantScope(id: tenant).key(.live)
        let watcher = try database.connect()
        let deadline = ContinuousClock.now + .seconds(30)
        while try watcher.query("""
            SELECT count(*) FROM pg_locks
            WHERE locktype = 'advisory' AND NOT granted AND classid::bigint = $1 AND objid::bigint = $2
              AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            """, [key >> 32, key & 0xFFFF_FFFF]).first!.decode(Int.self, at: 0) == 0 {
            guard ContinuousClock.now < deadline else {
                Issue.record("the second builder never waited for the lock")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        try first.execute("COMMIT")
        _ = try await second.value
        let (states, version) = try await pool.withConnection { connection in
            let row = try connection.query("SELECT count(*), min(xmin::text) FROM live_states WHERE tenant_id = $1", [tenant]).first!
            return (try row.decode(Int.self, at: 0), try row.decode(String.self, at: 1))
        }
        let built = try first.query("SELECT xmin::text FROM live_states WHERE tenant_id = $1", [tenant]).first!.decode(String.self, at: 0)
        #expect(states == 1)
        // The row the first builder wrote, not a second one.
        #expect(version == built)
    }
}
