import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

@Suite("recalculation: locking, atomicity, changes")
struct RecalculationTests {
    let database: TestDatabase
    let pool: PGPool
    let date = CalendarDate(iso: "2026-11-20")!
    let tenant: Int64

    init() async throws {
        database = try await TestCluster.shared.freshDatabase("recalc")
        pool = database.pool(maxConnections: 3)
        tenant = try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo").tenantID
    }

    func snapshot() async throws -> RiskReport? {
        let (tenant, date) = (self.tenant, self.date)
        return try await pool.tenantTransaction(tenant) { try ProductionEngine.snapshot($0, tenantID: tenant, asOf: date) }
    }

    @Test("a second run on the same tenant refuses while the first holds the lock, or waits for it with wait")
    func runsNeverInterleave() async throws {
        let holder = try database.connect()
        try holder.execute("BEGIN")
        try holder.query("SELECT pg_advisory_xact_lock($1)", [Int64(0x5245_4341) << 32 | tenant])
        let refusal = await #expect(throws: Recalculation.Refusal.self) {
            try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
        }
        #expect(refusal?.description.contains("another recalculation is running") == true)
        #expect(try await snapshot() == nil)

        let waiting = Task { try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: true) }
        try await Task.sleep(for: .milliseconds(300))
        // Still waiting: nothing stored while the first run holds the lock.
        #expect(try await snapshot() == nil)
        try holder.execute("COMMIT")
        let outcome = try await waiting.value
        #expect(outcome.breachCounts == ["OVER_ADVANCE": 2])
        #expect(try await snapshot() != nil)
    }

    @Test("a run cancelled mid-way leaves the previous snapshot whole",
          .disabled(if: CitusCluster.isActive, "the run waits on a worker, where the coordinator's pg_blocking_pids does not see it"))
    func cancelledRunKeepsPreviousSnapshot() async throws {
        try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
        let before = try #require(try await snapshot())
        // Change the portfolio, so that a completed rerun would store other figures.
        try database.connect().query("UPDATE documents SET open_amount = 1 WHERE doc_ref = 'I4'")

        // Hold the snapshot's row: the rerun blocks inside its transaction, after it has started deleting.
        let blocker = try database.connect()
        let blockerPID = try blocker.query("SELECT pg_backend_pid()").first!.decode(Int32.self, at: 0)
        try blocker.execute("BEGIN")
        try blocker.query("SELECT 1 FROM snapshots WHERE tenant_id = $1 AND as_of = $2 FOR UPDATE", [tenant, date])
        let rerun = Task { try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false) }
        let watcher = database.pool(maxConnections: 1)
        defer { watcher.close() }
        // Until the rerun waits on the blocker's lock (only on it: other suites share the cluster, and their waits
        // must not count); a rerun that never gets there fails the test after 30 s rather than hanging it.
        let deadline = ContinuousClock.now + .seconds(30)
        while try await watcher.withConnection({ connection in
            try connection.query("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))", [blockerPID])
                .first!.decode(Int.self, at: 0)
        }) == 0 {
            guard ContinuousClock.now < deadline else {
                Issue.record("the rerun never waited on the blocked snapshot row")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        rerun.cancel()
        let error = await #expect(throws: PGError.self) { try await rerun.value }
        #expect(error?.sqlState == "57014")
        try blocker.execute("ROLLBACK")

        #expect(try await snapshot() == before)
        // And a completed rerun does replace it.
        try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
        let after = try #require(try await snapshot())
        #expect(after != before)
        #expect(after.pairs.first { $0.clientRef == "C2" && $0.debtorRef == "D1" }!.eligible == 1)
    }

    @Test("a recalc killed with kill -9 releases the tenant's lock within 2 s; while it runs, a rerun's refusal names it and says what to do",
          .disabled(if: CitusCluster.isActive, "the run waits on a worker, where the coordinator's pg_blocking_pids does not see it"))
    func killedRunReleasesLock() async throws {
        try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
        // Hold the snapshot's row: the child's run blocks inside its transaction, holding the tenant's lock,
        // as a long one would (a killed client's session keeps running until the server notices).
        let blocker = try database.connect()
        let blockerPID = try blocker.query("SELECT pg_backend_pid()").first!.decode(Int32.self, at: 0)
        try blocker.execute("BEGIN")
        try blocker.query("SELECT 1 FROM snapshots WHERE tenant_id = $1 AND as_of = $2 FOR UPDATE", [tenant, date])
        let child = Process()
        child.executableURL = URL(fileURLWithPath: try BinaryLocator.factorRisk())
        child.arguments = ["recalc", "--tenant", "demo", "--as-of", date.description]
        child.environment = ProcessInfo.processInfo.environment.merging(["DATABASE_URL": database.conninfo]) { $1 }
        child.standardOutput = FileHandle.nullDevice
        child.standardError = FileHandle.nullDevice
        try child.run()
        defer { if child.isRunning { kill(child.processIdentifier, SIGKILL) } }
        let watcher = try database.connect()
        let deadline = ContinuousClock.now + .seconds(30)
        while try watcher.query("SELECT count(*) FROM pg_stat_activity WHERE $1 = ANY (pg_blocking_pids(pid))", [blockerPID])
            .first!.decode(Int.self, at: 0) == 0 {
            guard ContinuousClock.now < deadline else {
                Issue.record("the child's run never waited on the held snapshot row")
                break
            }
            try await Task.sleep(for: .milliseconds(20))
        }
        let refusal = await #expect(throws: Recalculation.Refusal.self) {
            try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
        }
        #expect(refusal?.description.contains("(since ") == true, "\(refusal?.description ?? "")")
        #expect(refusal?.description.contains("factor-risk recalc (pid \(child.processIdentifier) on ") == true, "\(refusal?.description ?? "")")
        #expect(refusal?.description.contains("releases its lock within a few seconds") == true)
        #expect(refusal?.description.contains("--wait") == true)

        kill(child.processIdentifier, SIGKILL)
        child.waitUntilExit()
        let killed = ContinuousClock.now
        let key = TenantScope(id: tenant).key(.recalculation)
        var held = true
        while held && ContinuousClock.now - killed < .seconds(2) {
            held = try watcher.query("""
                SELECT count(*) FROM pg_locks
                WHERE locktype = 'advisory' AND classid::bigint = $1 AND objid::bigint = $2
                  AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
                """, [key >> 32, key & 0xFFFF_FFFF]).first!.decode(Int.self, at: 0) > 0
            if held { try await Task.sleep(for: .milliseconds(50)) }
        }
        #expect(!held, "the killed run's session still held the tenant's lock 2 s after kill -9")
        try blocker.execute("ROLLBACK")
        // And a rerun goes through at once.
        try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
    }

    @Test("new and cleared breaches are counted against the previous snapshot")
    func changesSincePrevious() async throws {
        let first = try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: CalendarDate(iso: "2026-11-19")!, wait: false)
        #expect(first.previousAsOf == nil)
        // Raise C1's funding to clear its over-advance, and cut D3's limit below its 45,000 guaranteed.
        let connection = try database.connect()
        try connection.query("UPDATE clients SET funded_balance = 0 WHERE client_ref = 'C1'")
        try connection.query("UPDATE debtors SET credit_limit = 4000000 WHERE debtor_ref = 'D3'")
        let second = try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
        #expect(second.previousAsOf == CalendarDate(iso: "2026-11-19"))
        #expect(second.newBreaches.map { "\($0.code) \($0.subject)" } == ["DEBTOR_LIMIT_BREACH D3"])
        #expect(second.clearedBreaches.map { "\($0.code) \($0.subject)" } == ["OVER_ADVANCE C1"])
        #expect((second.newCount, second.clearedCount) == (1, 1))
        // The first run's two over-advances less C1's, plus D3's.
        #expect(second.breachCounts == ["OVER_ADVANCE": 1, "DEBTOR_LIMIT_BREACH": 1])
        // The lists are cut to the listing asked for; the counts stay whole.
        let third = try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false, listing: 0)
        #expect(third.newBreaches.isEmpty && third.clearedBreaches.isEmpty)
        #expect((third.newCount, third.clearedCount) == (1, 1))
        #expect(third.breachTotal == 2)
    }

    @Test("a level streamed through a cursor, two rows a batch, gives the rows read whole; sorted, filtered and cut as asked")
    func streamedLevels() async throws {
        try await Recalculation.run(pool: pool, tenantRef: "demo", asOf: date, wait: false)
        let (tenant, date) = (self.tenant, self.date)
        for level in ReportLevel.allCases {
            guard let rows = SnapshotLevel.of(level) else { continue }
            let (whole, batches) = try await pool.tenantTransaction(tenant) { connection -> (RiskReport, [RiskReport]) in
                let header = try ProductionEngine.header(connection, tenantID: tenant, asOf: date)!
                var whole = header
                try rows.readAll(connection, tenantID: tenant, asOf: date, into: &whole)
                var batches: [RiskReport] = []
                try rows.stream(connection, tenantID: tenant, asOf: date, flag: nil, sort: nil, limit: nil, batchSize: 2, header: header) {
                    batches.append($0)
                }
                return (whole, batches)
            }
            let streamed = batches.flatMap { Self.rows($0.json(level)) }
            #expect(streamed == Self.rows(whole.json(level)), "\(level)")
            #expect(batches.allSatisfy { Self.rows($0.json(level)).count <= 2 })
            #expect(batches.count == (streamed.count + 1) / 2)
        }

        // Debtors carrying DEBTOR_LIMIT_WARN or not: by headroom, largest first, the first two.
        let (all, sorted) = try await pool.tenantTransaction(tenant) { connection -> (RiskReport, [RiskReport]) in
            let header = try ProductionEngine.header(connection, tenantID: tenant, asOf: date)!
            var all = header
            try SnapshotLevel.of(.debtor)!.readAll(connection, tenantID: tenant, asOf: date, into: &all)
            var sorted: [RiskReport] = []
            try SnapshotLevel.of(.debtor)!.stream(
                connection, tenantID: tenant, asOf: date, flag: nil, sort: "headroom", limit: 2, batchSize: 1, header: header
            ) { sorted.append($0) }
            return (all, sorted)
        }
        let byHeadroom = all.debtors.sorted { ($0.headroom, $1.debtorRef) > ($1.headroom, $0.debtorRef) }
        #expect(sorted.flatMap(\.debtors).map(\.debtorRef) == byHeadroom.prefix(2).map(\.debtorRef))
        #expect(sorted.count == 2)
        let warned = try await pool.tenantTransaction(tenant) { connection -> [String] in
            let header = try ProductionEngine.header(connection, tenantID: tenant, asOf: date)!
            var refs: [String] = []
            try SnapshotLevel.of(.debtor)!.stream(
                connection, tenantID: tenant, asOf: date, flag: .debtorLimitWarn, sort: nil, limit: nil, header: header
            ) { refs += $0.debtors.map(\.debtorRef) }
            return refs
        }
        #expect(warned == all.debtors.filter { $0.flags.contains(.debtorLimitWarn) }.map(\.debtorRef))
        #expect(!warned.isEmpty)
    }

    /// The rows of a level's JSON document, each written out.
    static func rows(_ document: JSONText) -> [String] {
        guard case .object(let members) = document, case .array(let rows)? = members.last?.1 else { return [] }
        return rows.map { $0.rendered(indent: 0) }
    }
}
