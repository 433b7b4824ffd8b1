import FactorRiskCore
import FactorRiskPostgres
import FactorRiskSynthetic
import FactorRiskTestSupport
import Foundation
import Testing

@Suite("live answers against the recalculation")
struct LiveEngineTests {
    let database: TestDatabase
    let pool: PGPool

    init() async throws {
        database = try await TestCluster.shared.freshDatabase("live")
        pool = database.pool(maxConnections: 2)
    }

    func tenantID(_ ref: String) async throws -> Int64 {
        try await pool.withConnection { try $0.query("SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [ref]).first!.decode(Int64.self, at: 0) }
    }

    /// Builds the tenant's live state of `date` (or brings it up to date) as the service does: in a
    /// bulk transaction of its own, before the transactions that read it under row-level security.
    func built(_ tenant: Int64, _ date: CalendarDate) async throws {
        try await pool.tenantBulkTransaction(tenant) { _ = try LiveEngine.prepare($0, tenantID: tenant, asOf: date) }
    }

    /// Every row the live answers give for the tenant, gathered debtor by debtor and client by client.
    struct LiveRows: Equatable {
        var pairs: [RiskReport.PairRow] = []
        var clients: [RiskReport.ClientRow] = []
        var debtors: [RiskReport.DebtorRow] = []
        var groups: [RiskReport.GroupRow] = []
        var countries: [RiskReport.CountryRow] = []
    }

    static func live(_ connection: PGConnection, tenant: Int64, date: CalendarDate, debtorRefs: [String], clientRefs: [String]) throws -> LiveRows {
        let settings = try TenantSettings.load(connection, tenantID: tenant)!
        try LiveEngine.prepare(connection, tenantID: tenant, asOf: date, ifMissing: .fail)
        var rows = LiveRows()
        var groups: [String: RiskReport.GroupRow] = [:]
        var countries: [String: RiskReport.CountryRow] = [:]
        for ref in debtorRefs {
            let exposure = try #require(try LiveEngine.debtorExposure(connection, settings: settings, asOf: date, debtorRef: ref))
            rows.debtors.append(exposure.debtor)
            rows.pairs += exposure.pairs
            groups[exposure.group.groupRef] = exposure.group
            countries[exposure.country.country] = exposure.country
        }
        for ref in clientRefs {
            rows.clients.append(try #require(try LiveEngine.clientAvailability(connection, settings: settings, asOf: date, clientRef: ref)))
        }
        rows.pairs.sort { ($0.clientRef, $0.debtorRef) < ($1.clientRef, $1.debtorRef) }
        rows.groups = groups.keys.sorted().map { groups[$0]! }
        rows.countries = countries.keys.sorted().map { countries[$0]! }
        return rows
    }

    /// Recalculates as of `date` and compares each stored row with the live answer for it; returns the differences.
    func compare(_ tenant: Int64, _ date: CalendarDate) async throws -> [String] {
        try await pool.tenantBulkTransaction(tenant) { try ProductionEngine.recalculate($0, tenantID: tenant, asOf: date) }
        try await built(tenant, date)
        return try await pool.tenantTransaction(tenant) { connection in
            let snapshot = try ProductionEngine.snapshot(connection, tenantID: tenant, asOf: date)!
            // Every debtor and client with a pair, and a few without (synthetic tenants have thousands of idle debtors).
            let debtorsWithPairs = Set(snapshot.pairs.map(\.debtorRef))
            let clientsWithPairs = Set(snapshot.pairs.map(\.clientRef))
            let debtors = snapshot.debtors.filter { debtorsWithPairs.contains($0.debtorRef) }
                + snapshot.debtors.filter { !debtorsWithPairs.contains($0.debtorRef) }.prefix(25)
            let clients = snapshot.clients.filter { clientsWithPairs.contains($0.clientRef) }
                + snapshot.clients.filter { !clientsWithPairs.contains($0.clientRef) }.prefix(10)
            let live = try Self.live(
                connection, tenant: tenant, date: date, debtorRefs: debtors.map(\.debtorRef), clientRefs: clients.map(\.clientRef))
            var expected = LiveRows()
            expected.pairs = snapshot.pairs.sorted { ($0.clientRef, $0.debtorRef) < ($1.clientRef, $1.debtorRef) }
            expected.clients = clients
            expected.debtors = debtors
            expected.groups = snapshot.groups.sorted { $0.groupRef < $1.groupRef }
            expected.countries = snapshot.countries.sorted { $0.country < $1.country }
            var differences: [String] = []
            func check<Row: Equatable>(_ name: String, _ a: [Row], _ b: [Row]) {
                if a.count != b.count { differences.append("\(name): \(a.count) live rows, \(b.count) stored") }
                for (x, y) in zip(a, b) where x != y { differences.append("\(name): live \(x)\n   stored \(y)") }
            }
            check("pairs", live.pairs, expected.pairs)
            check("clients", live.clients, expected.clients)
            check("debtors", live.debtors, expected.debtors)
            check("groups", live.groups, expected.groups.filter { g in live.groups.contains { $0.groupRef == g.groupRef } })
            check("countries", live.countries, expected.countries.filter { c in live.countries.contains { $0.country == c.country } })
            return differences
        }
    }

    @Test("the worked example: every live debtor, pair, group, country and client equals the stored snapshot row")
    func workedExample() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let tenant = try await tenantID("demo")
        let differences = try await compare(tenant, CalendarDate(iso: "2026-11-20")!)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        // The hand-worked figures of RULEBOOK.md §7, read live.
        try await built(tenant, CalendarDate(iso: "2026-11-20")!)
        let d1 = try await pool.tenantTransaction(tenant) { connection in
            let settings = try TenantSettings.load(connection, tenantID: tenant)!
            try LiveEngine.prepare(connection, tenantID: tenant, asOf: CalendarDate(iso: "2026-11-20")!, ifMissing: .fail)
            return try LiveEngine.debtorExposure(connection, settings: settings, asOf: CalendarDate(iso: "2026-11-20")!, debtorRef: "D1")!
        }
        #expect(d1.debtor.guaranteed == 12_500_000)
        #expect(d1.debtor.availableLimit == 2_500_000)
        #expect(d1.debtor.flags == [.debtorLimitWarn, .debtorOverAllocated])
        #expect(d1.country.headroom == 4_500_000)
        #expect(d1.group.guaranteed == 15_500_000)
    }

    @Test("the cash example (§8.6): every live row equals the stored one, and K1's and B3's hand-worked v2 figures read live")
    func cashExample() async throws {
        _ = try await CashInputs.importBundle(ImportTests.cashExample, tenantRef: "cash", pool: pool)
        let tenant = try await tenantID("cash")
        let date = CalendarDate(iso: "2026-11-20")!
        let differences = try await compare(tenant, date)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        try await built(tenant, date)
        let (k1, b3) = try await pool.tenantTransaction(tenant) { connection in
            let settings = try TenantSettings.load(connection, tenantID: tenant)!
            try LiveEngine.prepare(connection, tenantID: tenant, asOf: date, ifMissing: .fail)
            return (try LiveEngine.clientAvailability(connection, settings: settings, asOf: date, clientRef: "K1")!,
                    try LiveEngine.debtorExposure(connection, settings: settings, asOf: date, debtorRef: "B3")!)
        }
        // §8.6 by hand: reserve 750 bp of 37,500.00 = 2,812.50; holdback 10 % of 34,687.50 = 3,468.75; collected
        // 70,000.00, 40,000.00 of it by 11-18, remitted 30,000.00 → 10,000.00 held, the oldest since 10-16 (35 days).
        #expect(k1.dilutionBP == 1250 && k1.dilutionReserve == 281_250 && k1.holdback == 346_875)
        #expect(k1.collected == 7_000_000 && k1.remitted == 3_000_000 && k1.unremitted == 1_000_000 && k1.unremittedDays == 35)
        #expect(k1.tier == 3 && k1.flags.contains(.unremittedCollections) && k1.flags.contains(.paidStillOpen))
        #expect(b3.debtor.pastDueDays == 10 && b3.debtor.flags.contains(.debtorSlowPayer))
    }

    @Test("the limits example (§9.1–§9.3): every live row equals the stored one on D and on the day M2's cut takes effect, and the hand-worked figures read live")
    func limitsExample() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.limitsExample, tenantRef: "limits")
        let tenant = try await tenantID("limits")
        let date = CalendarDate(iso: "2026-11-20")!
        for day in [date, CalendarDate(iso: "2026-12-05")!] {
            let differences = try await compare(tenant, day)
            #expect(differences.isEmpty, "\(day): \(differences.joined(separator: "\n"))")
        }
        try await built(tenant, date)
        let (m2, m5, l1) = try await pool.tenantTransaction(tenant) { connection in
            let settings = try TenantSettings.load(connection, tenantID: tenant)!
            try LiveEngine.prepare(connection, tenantID: tenant, asOf: date, ifMissing: .fail)
            return (try LiveEngine.debtorExposure(connection, settings: settings, asOf: date, debtorRef: "M2")!,
                    try LiveEngine.debtorExposure(connection, settings: settings, asOf: date, debtorRef: "M5")!,
                    try LiveEngine.clientAvailability(connection, settings: settings, asOf: date, clientRef: "L1")!)
        }
        // The README by hand: M2's next cut is LC05 (60,000 on 12-05, announced after LC04): 40,000 above it, nothing
        // available, and its Atradius policy (85 %) ends in 20 days; GA's net loss 45,000 + 15,000.
        #expect(m2.debtor.pendingLimit == 6_000_000 && m2.debtor.pendingOn == CalendarDate(iso: "2026-12-05"))
        #expect(m2.debtor.projectedExcess == 4_000_000 && m2.debtor.availableLimit == 0)
        #expect(m2.debtor.recoverable == 8_500_000 && m2.debtor.netLoss == 1_500_000)
        #expect(m2.debtor.flags == [.limitCutPending, .insuranceExpiring])
        #expect(m2.group.netLoss == 6_000_000)
        // M5: 25,555.55 insured at 90 % = 22,999.99 recoverable (rounded down), net 7,000.01; LC09 is not yet announced.
        #expect(m5.debtor.recoverable == 2_299_999 && m5.debtor.netLoss == 700_001 && m5.debtor.pendingLimit == nil)
        // L1: L1–M3's approval goes to 40,000 on 12-01, 50,000 below its guaranteed 90,000.
        #expect(l1.approvalCut == 5_000_000 && l1.flags.last == .approvalCutPending)
    }

    @Test("a limit change written after the build: an approval's moves its pair, a credit limit's is read per request, to the recalculation's figures")
    func limitChangesAfterBuild() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.limitsExample, tenantRef: "limits")
        let tenant = try await tenantID("limits")
        let date = CalendarDate(iso: "2026-11-20")!
        #expect(try await compare(tenant, date).isEmpty)
        try await pool.tenantTransaction(tenant) { connection in
            // L1–M1's approval cut to 100,000 from D, and M5's credit limit to 20,000 from 11-25, both announced on D,
            // written row by row with parameters, as the API writes them.
            let pair: (Int64, Int64) = try connection.query("""
                SELECT c.client_id, d.debtor_id FROM clients c, debtors d
                WHERE c.tenant_id = $1 AND c.client_ref = 'L1' AND d.tenant_id = $1 AND d.debtor_ref = 'M1'
                """, [tenant]).first.map { (try $0.decode(at: 0), try $0.decode(at: 1)) }!
            let m5: Int64 = try connection.query("SELECT debtor_id FROM debtors WHERE tenant_id = $1 AND debtor_ref = 'M5'", [tenant])
                .first!.decode(at: 0)
            for (ref, debtor, client, limit, effective) in [("T1", pair.1, Optional(pair.0), Int64(10_000_000), "2026-11-20"),
                                                            ("T2", m5, nil, 2_000_000, "2026-11-25")] {
                try connection.query("""
                    INSERT INTO limit_changes (tenant_id, change_ref, debtor_id, client_id, new_limit, announced_on, effective_on)
                    VALUES ($1, $2, $3, $4, $5, date '2026-11-20', $6::date)
                    """, [tenant, ref, debtor, client, limit, effective])
            }
            try LiveEngine.recordChanges(connection, tenantID: tenant, pairs: [(client: pair.0, debtor: pair.1)])
        }
        let differences = try await compare(tenant, date)
        #expect(differences.isEmpty, "\(differences.joined(separator: "\n"))")
        try await built(tenant, date)
        let m1 = try await pool.tenantTransaction(tenant) { connection in
            let settings = try TenantSettings.load(connection, tenantID: tenant)!
            try LiveEngine.prepare(connection, tenantID: tenant, asOf: date, ifMissing: .fail)
            return try LiveEngine.debtorExposure(connection, settings: settings, asOf: date, debtorRef: "M1")!
        }
        // L1–M1 guarantees 100,000 of its 120,000 now: M1 100,000 + 60,000 = 160,000 of 200,000.
        #expect(m1.debtor.guaranteed == 16_000_000 && m1.debtor.approvedTotal == 18_000_000)
    }

    @Test("random portfolios with v2 and v3 inputs (limit changes, insurance): live answers equal the recalculation on every row (12 portfolios × 2 dates)")
    func randomPortfolios() async throws {
        let importer = BundleImporter(pool: pool)
        var failures: [String] = []
        for seed in UInt64(1)...12 {
            var generator = SplitMix64(seed: seed &* 104_729)
            let asOf = CalendarDate(iso: "2026-11-20")!
            let parameters = SyntheticPortfolio.Parameters(tenantRef: "l\(seed)", documents: 30 + Int(generator.next() % 400), seed: seed, asOf: asOf)
            let random = seed % 2 == 0 ? ProductionEngineTests.randomPolicy(&generator) : nil
            let sink = try await importer.importSynthetic(parameters, policyJSON: random?.json)
            var portfolio = try Portfolio(bundle: sink.files)
            if let random { portfolio.policy = random.policy }
            let changed = CashInputs.randomize(&portfolio, asOf: asOf, &generator)
            try await CashInputs.write(portfolio, tenantRef: "l\(seed)", documents: changed, pool: pool)
            LimitInputs.randomize(&portfolio, asOf: asOf, &generator)
            try await LimitInputs.write(portfolio, tenantRef: "l\(seed)", pool: pool)
            let tenant = try await tenantID("l\(seed)")
            for date in [asOf, asOf.adding(days: -Int(generator.next() % 40))] {
                let differences = try await compare(tenant, date)
                if !differences.isEmpty { failures.append("seed \(seed) as of \(date):\n" + differences.prefix(3).joined(separator: "\n")) }
            }
        }
        #expect(failures.isEmpty, "\(failures.prefix(3).joined(separator: "\n"))")
    }

    @Test("documents and approvals written after the build move the live figures pair by pair, in the writer's transaction, to the recalculation's figures")
    func incrementalChanges() async throws {
        let asOf = CalendarDate(iso: "2026-11-20")!
        let synthetic = SyntheticPortfolio(.init(tenantRef: "inc", documents: 2000, seed: 77, asOf: asOf))
        var sink = MemoryBundleSink()
        try synthetic.generate(into: &sink)
        let folder = TestCluster.temporaryFolder("live-incremental")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try sink.write(to: folder)
        try await BundleImporter(pool: pool).importBundle(directory: folder, tenantRef: "inc")
        let tenant = try await tenantID("inc")
        #expect(try await compare(tenant, asOf).isEmpty)
        let builtAt = try await pool.withConnection { try $0.query("SELECT built_at::text FROM live_states WHERE tenant_id = $1", [tenant]).first!.decode(String.self, at: 0) }

        // Writers: new invoices on existing pairs and on a new pair, a paid invoice, a disputed one,
        // an approval cut to zero and one raised; each records the pairs it touched.
        try await pool.tenantTransaction(tenant) { connection in
            let touched = try connection.query("""
                WITH picked AS (
                    SELECT client_id, debtor_id FROM approvals WHERE tenant_id = $1 AND approved > 0 ORDER BY client_id, debtor_id LIMIT 6
                ),
                added AS (
                    INSERT INTO documents (tenant_id, doc_ref, client_id, debtor_id, kind, currency, amount, open_amount, issue_date, due_date, disputed)
                    SELECT $1, 'NEW-' || row_number() OVER (), client_id, debtor_id, 'invoice', 'EUR', 50000000, 50000000,
                           DATE '2026-11-01', DATE '2026-12-31', false
                    FROM picked
                    RETURNING client_id, debtor_id
                ),
                paid AS (
                    UPDATE documents SET open_amount = 0
                    WHERE tenant_id = $1 AND doc_ref IN (SELECT doc_ref FROM documents WHERE tenant_id = $1 ORDER BY doc_ref LIMIT 25)
                    RETURNING client_id, debtor_id
                ),
                disputed AS (
                    UPDATE documents SET disputed = true
                    WHERE tenant_id = $1 AND doc_ref IN (SELECT doc_ref FROM documents WHERE tenant_id = $1 ORDER BY doc_ref DESC LIMIT 25)
                    RETURNING client_id, debtor_id
                ),
                cut AS (
                    UPDATE approvals SET approved = 0
                    WHERE tenant_id = $1 AND (client_id, debtor_id) IN (SELECT client_id, debtor_id FROM picked ORDER BY client_id DESC LIMIT 2)
                    RETURNING client_id, debtor_id
                ),
                raised AS (
                    UPDATE approvals SET approved = approved * 3
                    WHERE tenant_id = $1 AND (client_id, debtor_id) IN (SELECT client_id, debtor_id FROM picked ORDER BY client_id LIMIT 2)
                    RETURNING client_id, debtor_id
                )
                SELECT client_id, debtor_id FROM added UNION SELECT client_id, debtor_id FROM paid
                UNION SELECT client_id, debtor_id FROM disputed UNION SELECT client_id, debtor_id FROM cut
                UNION SELECT client_id, debtor_id FROM raised
                """, [tenant]).rows.map { (client: try $0.decode(Int64.self, at: 0), debtor: try $0.decode(Int64.self, at: 1)) }
            #expect(touched.count > 10)
            try LiveEngine.recordChanges(connection, tenantID: tenant, pairs: touched)
        }
        // The writer moved the state in its own transaction: nothing is left for a reader to apply
        // (a reader would otherwise hold the state's lock while the others queue behind it).
        let (pending, moved) = try await pool.withConnection { connection in
            let row = try connection.query("""
                SELECT (SELECT count(*) FROM live_changes WHERE tenant_id = $1), refreshed_at > built_at FROM live_states WHERE tenant_id = $1
                """, [tenant]).first!
            return (try row.decode(Int.self, at: 0), try row.decode(Bool.self, at: 1))
        }
        #expect(pending == 0)
        #expect(moved)

        let differences = try await compare(tenant, asOf)
        #expect(differences.isEmpty, "\(differences.prefix(5).joined(separator: "\n"))")
        // The state was moved, not rebuilt, and its list of changes is consumed.
        let after = try await pool.withConnection { connection in
            try connection.query("SELECT built_at::text, refreshed_at > built_at, (SELECT count(*) FROM live_changes WHERE tenant_id = $1) FROM live_states WHERE tenant_id = $1", [tenant]).first!
        }
        #expect(try after.decode(String.self, at: 0) == builtAt)
        #expect(try after.decode(Bool.self, at: 1))
        #expect(try after.decode(Int.self, at: 2) == 0)
    }

    @Test("events, collections and remittances written after the build: the event's pairs move, the client's cash is read per request, to the recalculation's figures")
    func cashWrites() async throws {
        let asOf = CalendarDate(iso: "2026-11-20")!
        var generator = SplitMix64(seed: 4242)
        let sink = try await BundleImporter(pool: pool).importSynthetic(.init(tenantRef: "cw", documents: 600, seed: 4242, asOf: asOf))
        var portfolio = try Portfolio(bundle: sink.files)
        let changed = CashInputs.randomize(&portfolio, asOf: asOf, &generator)
        portfolio.policy.depositDays = 20
        try await CashInputs.write(portfolio, tenantRef: "cw", documents: changed, pool: pool)
        let tenant = try await tenantID("cw")
        #expect(try await compare(tenant, asOf).isEmpty)

        // Writers: paid and refused events on open invoices, deposits on others, new collections on
        // invoices and a remittance per client; the events record their pairs.
        let touched = try await pool.tenantTransaction(tenant) { connection in
            let pairs = try connection.query("""
                WITH open_invoices AS (
                    SELECT doc_ref, client_id, debtor_id, row_number() OVER (ORDER BY doc_ref) AS n
                    FROM documents WHERE tenant_id = $1 AND kind = 'invoice' AND open_amount > 0 AND issue_date <= $2
                ),
                events AS (
                    INSERT INTO document_events (tenant_id, doc_ref, event, event_date)
                    SELECT $1, doc_ref, (ARRAY['paid', 'refused', 'deposited'])[n % 3 + 1], $2::date - (n % 7)::int
                    FROM open_invoices WHERE n % 5 = 0
                    ON CONFLICT (tenant_id, doc_ref, event) DO UPDATE SET event_date = excluded.event_date
                    RETURNING doc_ref
                ),
                collected AS (
                    INSERT INTO collections (tenant_id, collection_ref, doc_ref, collected_on, amount)
                    SELECT $1, 'NEWCOL' || n, doc_ref, $2::date - (n % 9)::int, 1000 + n FROM open_invoices WHERE n % 4 = 1
                    RETURNING doc_ref
                ),
                remitted AS (
                    INSERT INTO remittances (tenant_id, remittance_ref, client_id, received_on, currency, amount)
                    SELECT $1, 'NEWREM' || client_id, client_id, $2::date - 1, 'EUR', 250000 FROM clients WHERE tenant_id = $1
                    RETURNING client_id
                )
                SELECT DISTINCT o.client_id, o.debtor_id FROM open_invoices o JOIN events e ON e.doc_ref = o.doc_ref
                """, [tenant, asOf]).rows.map { (client: try $0.decode(Int64.self, at: 0), debtor: try $0.decode(Int64.self, at: 1)) }
            try CashInputs.setEventDates(connection, tenantID: tenant)
            try LiveEngine.recordChanges(connection, tenantID: tenant, pairs: pairs)
            return pairs
        }
        #expect(touched.count > 5)
        let differences = try await compare(tenant, asOf)
        #expect(differences.isEmpty, "\(differences.prefix(5).joined(separator: "\n"))")
    }

    @Test("an import drops the tenant's live states, and the next answer is built from the new data")
    func importInvalidates() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let tenant = try await tenantID("demo")
        #expect(try await compare(tenant, CalendarDate(iso: "2026-11-20")!).isEmpty)
        let folder = TestCluster.temporaryFolder("live-import")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try Fixtures.write("debtor_ref,name,country,group_ref,credit_limit\nD1,Debtor One,FR,G1,100000.00\n", "debtors.csv", in: folder)
        try await BundleImporter(pool: pool).importBundle(directory: folder, tenantRef: "demo")
        let states = try await pool.withConnection { try $0.query("SELECT count(*) FROM live_states WHERE tenant_id = $1", [tenant]).first!.decode(Int.self, at: 0) }
        #expect(states == 0)
        #expect(try await compare(tenant, CalendarDate(iso: "2026-11-20")!).isEmpty)
    }
}
