import FactorRiskCore
import FactorRiskHTML
@testable import FactorRiskPostgres
import FactorRiskSynthetic
import FactorRiskTestSupport
import Foundation
import Testing

@Suite("production engine (SQL) against the reference engine")
struct ProductionEngineTests {
    let database: TestDatabase
    let pool: PGPool

    init() async throws {
        database = try await TestCluster.shared.freshDatabase("engine")
        pool = database.pool(maxConnections: 2)
    }

    func tenantID(_ ref: String) async throws -> Int64 {
        try await pool.withConnection { try $0.query("SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [ref]).first!.decode(Int64.self, at: 0) }
    }

    /// The tenant recalculated as of `date`, its pass over the documents a statement of its own
    /// (`parallel`) or a CTE of the one statement; with `split`, PostgreSQL is told that helper
    /// processes cost nothing, so that even a small tenant's pass over the documents is split between them.
    func recalculate(_ tenant: Int64, _ date: CalendarDate, parallel: Bool = true, split: Bool = false) async throws -> RiskReport {
        try await pool.tenantBulkTransaction(tenant) { connection in
            if split { try Self.splitEveryScan(connection) }
            try ProductionEngine.recalculate(connection, tenantID: tenant, asOf: date, parallel: parallel)
        }
        // Read back as the reports read it: under row-level security.
        return try await pool.tenantTransaction(tenant) { try ProductionEngine.snapshot($0, tenantID: tenant, asOf: date)! }
    }

    /// Makes PostgreSQL plan the rest of the transaction with helper processes wherever it can.
    static func splitEveryScan(_ connection: PGConnection) throws {
        for setting in ["parallel_setup_cost = 0", "parallel_tuple_cost = 0", "min_parallel_table_scan_size = 0",
                        "max_parallel_workers_per_gather = 2"] {
            try connection.execute("SET LOCAL \(setting)")
        }
    }

    @Test("the pass over the documents can be split between processes: each groups part of them, the groups are combined, and every figure is the reference engine's")
    func documentPassInParallel() async throws {
        let asOf = CalendarDate(iso: "2026-11-20")!
        let sink = try await BundleImporter(pool: pool).importSynthetic(.init(tenantRef: "split", documents: 20_000, seed: 5, asOf: asOf))
        let tenant = try await tenantID("split")
        let plan = try await pool.tenantTransaction(tenant) { connection in
            try Self.splitEveryScan(connection)
            return try connection.query("EXPLAIN (COSTS OFF) \(EngineSQL.documentPass)", [tenant, asOf, [String]()])
                .rows.map { try $0.decode(String.self, at: 0) }
        }
        #expect(plan.contains { $0.contains("Partial HashAggregate") }, "\(plan.joined(separator: "\n"))")
        #expect(plan.contains { $0.contains("Gather") })
        let split = try await recalculate(tenant, asOf, split: true)
        #expect(split == ReferenceEngine.compute(try Portfolio(bundle: sink.files), asOf: asOf))
    }

    /// Every level of `report` against the expected JSON reports in `folder`/expected.
    static func expectExpected(_ report: RiskReport, _ folder: String) throws {
        for level in ReportLevel.allCases {
            let expected = try JSONSerialization.jsonObject(with: try ExpectedReport.data(folder, level)) as! NSObject
            let produced = try JSONSerialization.jsonObject(with: Data(report.json(level).rendered().utf8)) as! NSObject
            #expect(produced == expected, "\(level.rawValue):\n\(report.json(level).rendered())")
        }
    }

    @Test("the worked example computed in PostgreSQL equals the expected report at every level")
    func workedExample() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let report = try await recalculate(try await tenantID("demo"), CalendarDate(iso: "2026-11-20")!)
        try Self.expectExpected(report, Fixtures.workedExample)
    }

    @Test("the cash example (§8.6: paid, refused, undeposited, dilution, cash held, ledger patterns, slow payer) computed in PostgreSQL equals the expected report at every level")
    func cashExampleReport() async throws {
        _ = try await CashInputs.importBundle(ImportTests.cashExample, tenantRef: "cash", pool: pool)
        let report = try await recalculate(try await tenantID("cash"), CalendarDate(iso: "2026-11-20")!)
        try Self.expectExpected(report, ImportTests.cashExample)
        // By hand (§8.6): K1 dilution 35,000 / 280,000 = 1,250 bp; reserve 750 bp of 37,500 = 2,812.50; remittances
        // cover the collection of 07-02 (10,000) but not that of 10-16 (running 40,000 > 30,000) → 35 days.
        let k1 = try #require(report.clients.first { $0.clientRef == "K1" })
        #expect(k1.dilutionBP == 1250 && k1.dilutionReserve == 281_250 && k1.unremittedDays == 35 && k1.unremitted == 1_000_000)
        #expect(k1.ineligible.paid == 5_000_000 && k1.ineligible.undeposited == 6_000_000)
        // K2: Z1 and Z2 twins; (25,000 × 15 + 7,500 × 51) / 82,500 = 9.18 → 9; B3: 25,000 × 15 / 35,000 = 10.7 → 10.
        let k2 = try #require(report.clients.first { $0.clientRef == "K2" })
        #expect(k2.duplicateSuspects == 2 && k2.pastDueDays == 9 && k2.ineligible.disputed == 1_000_000)
        #expect(report.debtors.first { $0.debtorRef == "B3" }?.pastDueDays == 10)
    }

    @Test("the limits example (§9.1–§9.3: limits in force, pending changes, credit insurance) computed in PostgreSQL equals the expected report at every level")
    func limitsExampleReport() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.limitsExample, tenantRef: "limits")
        let report = try await recalculate(try await tenantID("limits"), CalendarDate(iso: "2026-11-20")!)
        try Self.expectExpected(report, Fixtures.limitsExample)
        // By hand (the example's README): M1's limit in force 200,000 (LC02 over LC03 by announcement); M2's next
        // pending cut LC05 (60,000 on 12-05) leaves 40,000 projected excess; M3's cut to 120,000 leaves 30,000
        // available; M5's recoverable floor(2,555,555 × 0.9) = 2,299,999 cents; L1's approval cut 50,000.
        let debtors = Dictionary(uniqueKeysWithValues: report.debtors.map { ($0.debtorRef, $0) })
        #expect(debtors["M1"]?.creditLimit == 20_000_000)
        #expect(debtors["M2"]?.projectedExcess == 4_000_000 && debtors["M2"]?.pendingOn == CalendarDate(iso: "2026-12-05"))
        #expect(debtors["M3"]?.availableLimit == 3_000_000)
        #expect(debtors["M5"]?.recoverable == 2_299_999)
        #expect(report.clients.first { $0.clientRef == "L1" }?.approvalCut == 5_000_000)
        #expect(report.portfolio.netLoss == 19_300_001)
    }

    @Test("the HTML report's ageing of the worked example: open invoices by days past due, converted, those without a rate left out")
    func ageingBuckets() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let tenant = try await tenantID("demo")
        let date = CalendarDate(iso: "2026-11-20")!
        _ = try await recalculate(tenant, date)
        let input = try await pool.tenantTransaction(tenant) { try ReportData.htmlInput($0, tenantID: tenant, asOf: date) }
        // By hand, as of 2026-11-20 (the credit note N1 is not an invoice; I8 in SEK has no rate):
        // current: I1 70,000.00 + I3 50,000.00 USD × 0.90 (rate of 2026-11-19) + I4 80,000.00 + I6 10,000.00 (disputed
        // still owed) = 205,000.00; 1-30: I5 30,000.00 (5 days); 61-90: I2 20,000.00 (80 days) + I7 25,000.00 (82 days).
        #expect(input?.ageing == [
            .init(label: "current", open: 20_500_000, invoices: 4),
            .init(label: "1-30", open: 3_000_000, invoices: 1),
            .init(label: "31-60", open: 0, invoices: 0),
            .init(label: "61-90", open: 4_500_000, invoices: 2),
            .init(label: "90+", open: 0, invoices: 0),
        ])
    }

    @Test("amounts whose products pass Int64 (a client's cap, its holdback) are computed as the reference engine does, not refused")
    func largeAmounts() async throws {
        // One client, its holdback the whole of what it may fund. Eligible 5e15 minor units: the cap of
        // 30 % multiplies it by 3,000 bp (1.5e19), the holdback multiplies 2.5e15 fundable by 10,000 bp
        // (2.5e19), both above Int64.max (9.2e18) before their division by 10,000.
        var files: [BundleFile: [UInt8]] = [:]
        func file(_ name: BundleFile, _ lines: [String]) { files[name] = Array((lines.joined(separator: "\n") + "\n").utf8) }
        file(.tenant, ["tenant_ref,name,base_currency,home_country,own_funds", "big,Big Factor,EUR,FR,90000000000000.00"])
        file(.clients, [
            "client_ref,name,country,mode,annual_revenue,financial_grade,holdback_bp,funding_limit,funded_balance,group_ref",
            "C1,Large SA,FR,notified,1000000000.00,2,10000,90000000000000.00,0.00,",
        ])
        file(.debtors, ["debtor_ref,name,country,group_ref,credit_limit"] + (1...5).map { "D\($0),Buyer \($0),FR,,90000000000000.00" })
        let amounts = ["2500000000000.00", "2500000000000.00", "2500000000000.00", "2500000000000.00", "40000000000000.00"]
        file(.approvals, ["client_ref,debtor_ref,approved"] + amounts.enumerated().map { "C1,D\($0.offset + 1),\($0.element)" })
        file(.documents, ["doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed"]
            + amounts.enumerated().map { "I\($0.offset + 1),C1,D\($0.offset + 1),invoice,EUR,\($0.element),\($0.element),2026-11-01,2026-12-01,false" })
        let folder = TestCluster.temporaryFolder("large-amounts")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (name, bytes) in files { try Fixtures.write(String(decoding: bytes, as: UTF8.self), name.fileName, in: folder) }
        try await BundleImporter(pool: pool).importBundle(directory: folder, tenantRef: "big")

        let date = CalendarDate(iso: "2026-11-20")!
        let expected = ReferenceEngine.compute(try Portfolio(bundle: files), asOf: date)
        let produced = try await recalculate(try await tenantID("big"), date)
        #expect(produced == expected)
        // By hand: cap 30 % of 5e15 = 1.5e15; D5's 4e15 exceeds it by 2.5e15; fundable 2.5e15, all held back.
        let client = try #require(produced.clients.first)
        #expect(client.eligible == 5_000_000_000_000_000)
        #expect(client.concentrationCap == 1_500_000_000_000_000)
        #expect(client.holdback == 2_500_000_000_000_000)
    }

    @Test("a rerun for the same date replaces the snapshot; another date is kept apart")
    func rerunReplaces() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let tenant = try await tenantID("demo")
        let first = try await recalculate(tenant, CalendarDate(iso: "2026-11-20")!)
        let again = try await recalculate(tenant, CalendarDate(iso: "2026-11-20")!)
        #expect(first == again)
        let later = try await recalculate(tenant, CalendarDate(iso: "2026-11-21")!)
        // From the 21st USD is 0.95: I3 is 47,500.00, and I8 still has no rate.
        #expect(later.pairs.first { $0.debtorRef == "D3" }!.eligible == 4_750_000)
        let counts = try await pool.withConnection { connection in
            try connection.query("SELECT count(*) FROM snapshot_pairs WHERE tenant_id = $1 GROUP BY as_of ORDER BY as_of", [tenant]).rows.map { try $0.decode(Int.self, at: 0) }
        }
        #expect(counts == [5, 5])
    }

    /// A random policy, the same for both engines: written as policy.json, and set on the in-memory portfolio.
    static func randomPolicy(_ generator: inout SplitMix64) -> (json: String, policy: Policy) {
        var policy = Policy()
        func pick(_ range: ClosedRange<Int64>) -> Int64 { range.lowerBound + Int64(generator.next() % UInt64(range.upperBound - range.lowerBound + 1)) }
        policy.maxDaysFromInvoice = Int(pick(30...120))
        policy.maxDaysPastDue = Int(pick(10...90))
        policy.crossAgeBP = pick(1000...9000)
        policy.coverForeignBP = pick(5000...10_000)
        policy.concentrationCapBP[.notified] = pick(1000...10_000)
        policy.concentrationCapBP[.confidential] = pick(500...5000)
        policy.weightBP[.delegated] = pick(10_000...20_000)
        policy.countryCapBP[7] = pick(0...3000)
        policy.largeExposureReportBP = pick(100...2000)
        policy.largeExposureLimitBP = pick(500...4000)
        policy.utilizationWarnBP = pick(5000...9500)
        policy.confidentialMaxGrade = Int(pick(3...8))
        let json = """
            {"max_days_from_invoice": \(policy.maxDaysFromInvoice), "max_days_past_due": \(policy.maxDaysPastDue),
             "cross_age_bp": \(policy.crossAgeBP), "cover_foreign_bp": \(policy.coverForeignBP),
             "concentration_cap_bp": {"notified": \(policy.concentrationCapBP[.notified]!), "confidential": \(policy.concentrationCapBP[.confidential]!)},
             "weight_bp": {"delegated": \(policy.weightBP[.delegated]!)}, "country_cap_bp": {"7": \(policy.countryCapBP[7])},
             "large_exposure_report_bp": \(policy.largeExposureReportBP), "large_exposure_limit_bp": \(policy.largeExposureLimitBP),
             "utilization_warn_bp": \(policy.utilizationWarnBP), "confidential_max_grade": \(policy.confidentialMaxGrade)}
            """
        return (json, policy)
    }

    @Test("random portfolios with collections, remittances, events, limit changes, insurance and random v2 policies (deposit_days on and off): both engines agree on every field of every row (40 portfolios × 5 dates)")
    func differential() async throws {
        let importer = BundleImporter(pool: pool)
        var mismatches: [String] = []
        var compared = 0
        var coverage: [String: Int] = [:]
        for seed in UInt64(1)...40 {
            var generator = SplitMix64(seed: seed &* 7919)
            let documents = 20 + Int(generator.next() % 1500)
            let asOf = CalendarDate(iso: "2026-11-20")!
            let random = seed % 2 == 0 ? Self.randomPolicy(&generator) : nil
            let sink = try await importer.importSynthetic(
                .init(tenantRef: "p\(seed)", documents: documents, seed: seed, asOf: asOf), policyJSON: random?.json)
            var portfolio = try Portfolio(bundle: sink.files)
            if let random { portfolio.policy = random.policy }
            let documentsChanged = CashInputs.randomize(&portfolio, asOf: asOf, &generator)
            try await CashInputs.write(portfolio, tenantRef: "p\(seed)", documents: documentsChanged, pool: pool)
            LimitInputs.randomize(&portfolio, asOf: asOf, &generator)
            try await LimitInputs.write(portfolio, tenantRef: "p\(seed)", pool: pool)
            let tenant = try await tenantID("p\(seed)")
            for _ in 0..<5 {
                let date = asOf.adding(days: Int(generator.next() % 60) - 45)
                let expected = ReferenceEngine.compute(portfolio, asOf: date)
                // The runs take turns: one statement, the pass apart, the pass apart and split between processes.
                let produced = try await recalculate(tenant, date, parallel: compared % 3 != 0, split: compared % 3 == 2)
                compared += 1
                Self.count(expected, into: &coverage)
                if produced != expected {
                    let level = ReportLevel.allCases.first { produced.json($0) != expected.json($0) }
                    mismatches.append("seed \(seed), \(documents) documents, as of \(date): level \(level?.rawValue ?? "?") differs")
                    if mismatches.count == 1, let level {
                        let a = produced.json(level).rendered().split(separator: "\n")
                        let b = expected.json(level).rendered().split(separator: "\n")
                        if let line = zip(a, b).enumerated().first(where: { $0.element.0 != $0.element.1 }) {
                            mismatches.append("  first difference at line \(line.offset): SQL \(line.element.0) / reference \(line.element.1)")
                        }
                    }
                }
            }
        }
        #expect(compared == 200)
        #expect(coverage.allSatisfy { $0.value > 0 }, "v2 figures never exercised: \(coverage.filter { $0.value == 0 }.keys.sorted())")
        if !mismatches.isEmpty {
            Issue.record("the engines disagree:\n\(mismatches.prefix(10).joined(separator: "\n"))")
        }
    }

    /// Counts the reports in which each v2 and v3 figure is not at its neutral value, so that the random
    /// portfolios are known to exercise every rule of §4.1 and §8 (and not compare zeros).
    static func count(_ report: RiskReport, into coverage: inout [String: Int]) {
        let clients = report.clients
        let figures: [String: Bool] = [
            "paid": clients.contains { $0.ineligible.paid > 0 },
            "undeposited": clients.contains { $0.ineligible.undeposited > 0 },
            "dilution_reserve": clients.contains { $0.dilutionReserve > 0 },
            "unremitted": clients.contains { $0.unremitted > 0 },
            "unremitted_days": clients.contains { $0.unremittedDays != nil },
            "duplicate_suspects": clients.contains { $0.duplicateSuspects > 0 },
            "round_share_bp": clients.contains { ($0.roundShareBP ?? 0) > 0 },
            "new_debtor_eligible": clients.contains { $0.newDebtorEligible > 0 },
            "client past_due_days": clients.contains { ($0.pastDueDays ?? 0) > 0 },
            "debtor past_due_days": report.debtors.contains { ($0.pastDueDays ?? 0) > 0 },
            "missing_fx_collections": !report.portfolio.missingFXCollections.isEmpty,
            "missing_fx_remittances": !report.portfolio.missingFXRemittances.isEmpty,
            "pending_approved": report.pairs.contains { $0.pendingApproved != nil },
            "approval_cut": clients.contains { $0.approvalCut > 0 },
            "pending_limit": report.debtors.contains { $0.pendingLimit != nil },
            "projected_excess": report.debtors.contains { $0.projectedExcess > 0 },
            "available_limit cut by a pending limit": report.debtors.contains { debtor in
                debtor.pendingLimit.map { debtor.availableLimit == max(0, $0 - debtor.guaranteed) && $0 < debtor.creditLimit } ?? false
            },
            "recoverable": report.debtors.contains { $0.recoverable > 0 },
            "limit in force of 0": report.debtors.contains { $0.creditLimit == 0 && $0.guaranteed > 0 },
        ]
        for (name, seen) in figures { coverage[name, default: 0] += seen ? 1 : 0 }
        for flag in [RiskFlag.dilutionHigh, .unremittedCollections, .paidStillOpen, .duplicateSuspect, .roundAmounts,
                     .newDebtorConcentration, .debtorSlowPayer, .limitCutPending, .uninsuredExposure, .insuranceExpiring,
                     .approvalCutPending] {
            coverage[flag.rawValue, default: 0] += (report.clients.contains { $0.flags.contains(flag) }
                || report.debtors.contains { $0.flags.contains(flag) }) ? 1 : 0
        }
    }

    @Test("random portfolios: the diff worked out in PostgreSQL equals SnapshotDiff of the two snapshots in Swift")
    func diffInSQL() async throws {
        let importer = BundleImporter(pool: pool)
        let snapshots = PostgresSnapshotStore(pool: pool)
        var changes: [SnapshotDiff.BreachChange.Change: Int] = [:]
        var moves = 0
        for seed in UInt64(101)...108 {
            var generator = SplitMix64(seed: seed &* 104_729)
            let asOf = CalendarDate(iso: "2026-11-20")!
            try await importer.importSynthetic(.init(tenantRef: "d\(seed)", documents: 300 + Int(generator.next() % 1200), seed: seed, asOf: asOf))
            let tenant = try await tenantID("d\(seed)")
            var dates = [asOf.adding(days: -40)]
            for _ in 0..<3 { dates.append(dates.last!.adding(days: 5 + Int(generator.next() % 20))) }
            var reports: [RiskReport] = []
            for date in dates { reports.append(try await recalculate(tenant, date)) }
            for (old, new) in zip(reports, reports.dropFirst()) + [(reports.last!, reports.first!)] {
                let top = 1 + Int(generator.next() % 8)
                let expected = SnapshotDiff(from: old, to: new, top: top)
                let produced = try await snapshots.diff(TenantScope(id: tenant), from: old.asOf, to: new.asOf, top: top)
                #expect(produced == expected, "seed \(seed), \(old.asOf) → \(new.asOf)")
                for change in expected.breaches { changes[change.change, default: 0] += 1 }
                moves += expected.movements.count
            }
        }
        // The comparison saw every kind of change.
        #expect(changes[.new, default: 0] > 0 && changes[.worsened, default: 0] > 0 && changes[.cleared, default: 0] > 0, "\(changes)")
        #expect(moves > 0)
    }
}
