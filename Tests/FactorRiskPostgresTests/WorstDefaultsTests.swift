import FactorRiskCore
import FactorRiskPostgres
import FactorRiskSynthetic
import FactorRiskTestSupport
import Foundation
import Testing

/// RULEBOOK.md §9.4's worst single defaults ranked set-based in PostgreSQL (`ScenarioEngine.worst`),
/// against the limits example's expected answer, small books worked by hand, and the definition
/// (`WorstDefault.oneAtATime`: the reference engine once per group) on random portfolios.
@Suite("worst single defaults (RULEBOOK §9.4) ranked set-based in PostgreSQL")
struct WorstDefaultsTests {
    let database: TestDatabase
    let pool: PGPool
    static let date = CalendarDate(iso: "2026-11-20")!

    init() async throws {
        database = try await TestCluster.shared.freshDatabase("worst")
        pool = database.pool(maxConnections: 2)
    }

    func tenantID(_ ref: String) async throws -> Int64 {
        try await pool.withConnection { try $0.query("SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [ref]).first!.decode(Int64.self, at: 0) }
    }

    func worst(_ tenant: Int64, _ date: CalendarDate = Self.date, limit: Int) async throws -> [WorstDefault] {
        try await pool.tenantTransaction(tenant) { try ScenarioEngine.worst($0, tenantID: tenant, asOf: date, limit: limit) }
    }

    static func breach(_ level: String, _ subject: String, _ code: RiskFlag) -> ScenarioOutcome.Breach {
        ScenarioOutcome.Breach(level: level, subject: subject, code: code)
    }

    /// A small book worked by hand, imported as `tenantRef` (base EUR, home FR, own funds 1,000,000.00,
    /// the default policy; every client notified, grade 2, no holdback, a funding limit of
    /// 1,000,000.00; every debtor's credit limit 500,000.00), and the same bundle in memory.
    /// `clients` are `ref,funded_balance`, `debtors` `ref,country,group_ref`, `documents` `ref,client,
    /// debtor,kind,amount,open_amount,issue_date,due_date` in EUR; `countries` as countries.csv.
    func importBook(
        _ tenantRef: String, countries: [String], clients: [String], debtors: [String], approvals: [String], documents: [String]
    ) async throws -> Portfolio {
        let lines: [BundleFile: [String]] = [
            .tenant: ["tenant_ref,name,base_currency,home_country,own_funds", "\(tenantRef),Factor \(tenantRef),EUR,FR,1000000.00"],
            .countries: ["country,grade,embargoed,limit"] + countries,
            .clients: ["client_ref,name,country,mode,annual_revenue,financial_grade,holdback_bp,funding_limit,funded_balance,group_ref"]
                + clients.map {
                    let field = $0.split(separator: ",")
                    return "\(field[0]),Client \(field[0]),FR,notified,20000000.00,2,0,1000000.00,\(field[1]),"
                },
            .debtors: ["debtor_ref,name,country,group_ref,credit_limit"]
                + debtors.map {
                    let field = $0.split(separator: ",", omittingEmptySubsequences: false)
                    return "\(field[0]),Debtor \(field[0]),\(field[1]),\(field[2]),500000.00"
                },
            .approvals: ["client_ref,debtor_ref,approved"] + approvals,
            .documents: ["doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed"]
                + documents.map {
                    let field = $0.split(separator: ",", omittingEmptySubsequences: false)
                    return "\(field[0...3].joined(separator: ",")),EUR,\(field[4...7].joined(separator: ",")),false"
                },
        ]
        let files = lines.mapValues { Array(($0.joined(separator: "\n") + "\n").utf8) }
        let folder = TestCluster.temporaryFolder("worst-\(tenantRef)")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        for (file, bytes) in files { try Fixtures.write(String(decoding: bytes, as: UTF8.self), file.fileName, in: folder) }
        try await BundleImporter(pool: pool).importBundle(directory: folder, tenantRef: tenantRef)
        return try Portfolio(bundle: files)
    }

    @Test("the limits example's worst five equal expected/worst.json: GB adds L1's over-advance, GA L1's and L2's, M5 none; nothing is stored")
    func limitsExample() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.limitsExample, tenantRef: "limits")
        let tenant = try await tenantID("limits")
        let rows = try await worst(tenant, limit: 5)
        let produced = JSONText.object([
            ("tenant", .string("limits")), ("as_of", .string(Self.date.description)), ("currency", .string("EUR")),
            ("rows", .array(rows.map { $0.json(exponent: 2) })),
        ]).rendered()
        let expected = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(Fixtures.limitsExample)/expected/worst.json")))
        #expect(try JSONSerialization.jsonObject(with: Data(produced.utf8)) as? NSObject == expected as? NSObject, "\(produced)")
        // The example's README: GB's default leaves L1 with 150,000 eligible, fundable 75,000, availability −32,500;
        // GA's leaves L1 at −40,600 and L2 at −48,750 (the grade change of scenario ga-es adds nothing to them).
        #expect(rows.map(\.groupRef) == ["GB", "GA", "M5"])
        #expect(rows.map(\.loss) == [12_600_000, 6_000_000, 700_001])
        #expect(rows.map(\.newBreaches) == [
            [Self.breach("client", "L1", .overAdvance)],
            [Self.breach("client", "L1", .overAdvance), Self.breach("client", "L2", .overAdvance)],
            [],
        ])
        // Fewer than asked: only three groups have covered above 0. One asked: the first.
        #expect(try await worst(tenant, limit: 1) == Array(rows.prefix(1)))
        let stored = try await pool.withConnection { try $0.query("SELECT count(*) FROM snapshots WHERE tenant_id = $1", [tenant]).first!.decode(Int.self, at: 0) }
        #expect(stored == 0)
    }

    @Test("a snapshot stored before for the date is left as it was")
    func storedSnapshotKept() async throws {
        try await BundleImporter(pool: pool).importBundle(directory: Fixtures.limitsExample, tenantRef: "limits")
        let tenant = try await tenantID("limits")
        try await pool.tenantBulkTransaction(tenant) { try ProductionEngine.recalculate($0, tenantID: tenant, asOf: Self.date) }
        let before = try await pool.tenantTransaction(tenant) { try ProductionEngine.snapshot($0, tenantID: tenant, asOf: Self.date) }
        _ = try await worst(tenant, limit: 3)
        let after = try await pool.tenantTransaction(tenant) { try ProductionEngine.snapshot($0, tenantID: tenant, asOf: Self.date) }
        #expect(before != nil && after == before)
    }

    @Test("a default that shrinks P breaks the limit of a country where the group has no debtor")
    func shrinkingPortfolioBreaksCountry() async throws {
        let portfolio = try await importBook(
            "shrink", countries: ["FR,0,false,", "TR,4,false,"], clients: ["C1,0.00"], debtors: ["DF,FR,GF", "DT,TR,"],
            approvals: ["C1,DF,100000.00", "C1,DT,15000.00"],
            documents: ["I1,C1,DF,invoice,100000.00,100000.00,2026-11-01,2026-12-31", "I2,C1,DT,invoice,15000.00,15000.00,2026-11-01,2026-12-31"])
        let rows = try await worst(try await tenantID("shrink"), limit: 10)
        // By hand: P = 115,000; TR (grade 4) may hold 15 % = 17,250 and holds 15,000 (a warning). GF defaults:
        // P = 15,000, TR's limit 2,250 < 15,000. C1 keeps 15,000 eligible, cap 4,500, fundable 4,500, funds 0: fine.
        // DT defaults: P = 100,000 = FR's guaranteed, at its limit, not above. Losses: DF covered 100,000 (domestic);
        // DT 90 % of 15,000 = 13,500.
        #expect(rows == [
            WorstDefault(groupRef: "GF", loss: 10_000_000, lossOwnFundsBP: 1000, newBreaches: [Self.breach("country", "TR", .countryLimitBreach)]),
            WorstDefault(groupRef: "DT", loss: 1_350_000, lossOwnFundsBP: 135, newBreaches: []),
        ])
        #expect(rows == WorstDefault.oneAtATime(portfolio, asOf: Self.date, limit: 10))
    }

    @Test("a client newly over-advanced only through its dilution reserve: the default takes a closed invoice out of its window")
    func overAdvancedThroughDilution() async throws {
        let portfolio = try await importBook(
            "dilute", countries: ["FR,0,false,"], clients: ["C1,13000.00", "C2,0.00"], debtors: ["DA,FR,", "DB,FR,"],
            approvals: ["C1,DB,50000.00", "C2,DA,40000.00"],
            documents: ["A1,C1,DA,invoice,100000.00,0.00,2026-10-01,2026-10-31", "A2,C2,DA,invoice,40000.00,40000.00,2026-11-01,2026-12-31",
                        "B1,C1,DB,invoice,50000.00,50000.00,2026-11-01,2026-12-31", "B2,C1,DB,credit_note,10000.00,0.00,2026-11-05,2026-11-05"])
        let rows = try await worst(try await tenantID("dilute"), limit: 10)
        // By hand: C1 has one pair, C1–DB: eligible 50,000, cap 30 % = 15,000, fundable 15,000. Its window:
        // credited 10,000 of 150,000 invoiced (A1 closed, B1) = 666 bp, reserve 166 bp = 249.00, capacity
        // 14,751.00 against 13,000 funded. DA defaults: C1's pairs are the same (A1 is closed: no pair on DA),
        // but the window is 10,000 of 50,000 = 2,000 bp, reserve 1,500 bp = 2,250.00, capacity 12,750 < 13,000.
        // DB defaults: C1 has nothing left to fund. C2 funds nothing: never over-advanced.
        #expect(rows == [
            WorstDefault(groupRef: "DB", loss: 5_000_000, lossOwnFundsBP: 500, newBreaches: [Self.breach("client", "C1", .overAdvance)]),
            WorstDefault(groupRef: "DA", loss: 4_000_000, lossOwnFundsBP: 400, newBreaches: [Self.breach("client", "C1", .overAdvance)]),
        ])
        #expect(rows == WorstDefault.oneAtATime(portfolio, asOf: Self.date, limit: 10))
        // The case is the one it claims: in the reference's scenario DA, C1 keeps its eligible and its fundable.
        let scenario = ReferenceEngine.compute(portfolio, asOf: Self.date, scenario: Scenario(defaulted: ["DA"]))
        let c1 = try #require(scenario.clients.first { $0.clientRef == "C1" })
        #expect(c1.eligible == 5_000_000 && c1.fundable == 1_500_000 && c1.dilutionReserve == 225_000 && c1.availability == -25_000)
    }

    @Test("a client newly over-advanced through its concentration cap: the default shrinks its eligible far more than its guaranteed")
    func overAdvancedThroughCap() async throws {
        let portfolio = try await importBook(
            "capped", countries: ["FR,0,false,"], clients: ["C1,20000.00"], debtors: ["DX,FR,", "DY,FR,"],
            approvals: ["C1,DX,1000.00", "C1,DY,40000.00"],
            documents: ["X1,C1,DX,invoice,60000.00,60000.00,2026-11-01,2026-12-31", "Y1,C1,DY,invoice,40000.00,40000.00,2026-11-01,2026-12-31"])
        let rows = try await worst(try await tenantID("capped"), limit: 10)
        // By hand: eligible 100,000, guaranteed 1,000 + 40,000, cap 30,000, excess 10,000 (DY), fundable 31,000 against
        // 20,000 funded. DX defaults: guaranteed falls by 1,000 only, but eligible to 40,000: cap 12,000, excess
        // 28,000, fundable 12,000 < 20,000. DY defaults: fundable 1,000 < 20,000. No dilution (no credit note).
        #expect(rows == [
            WorstDefault(groupRef: "DY", loss: 4_000_000, lossOwnFundsBP: 400, newBreaches: [Self.breach("client", "C1", .overAdvance)]),
            WorstDefault(groupRef: "DX", loss: 100_000, lossOwnFundsBP: 10, newBreaches: [Self.breach("client", "C1", .overAdvance)]),
        ])
        #expect(rows == WorstDefault.oneAtATime(portfolio, asOf: Self.date, limit: 10))
    }

    @Test("random portfolios with v2 and v3 inputs and random policies: the set-based ranking of every group equals the definition one group at a time, breaches included (30 portfolios × 3 dates)")
    func randomPortfolios() async throws {
        let importer = BundleImporter(pool: pool)
        var mismatches: [String] = []
        var compared = 0
        var ranked = 0
        var added: [RiskFlag: Int] = [:]
        for seed in UInt64(1)...30 {
            var generator = SplitMix64(seed: seed &* 6151)
            let documents = 20 + Int(generator.next() % 600)
            let random = seed % 3 == 0 ? nil : ProductionEngineTests.randomPolicy(&generator)
            let sink = try await importer.importSynthetic(
                .init(tenantRef: "w\(seed)", documents: documents, seed: seed, asOf: Self.date), policyJSON: random?.json)
            var portfolio = try Portfolio(bundle: sink.files)
            if let random { portfolio.policy = random.policy }
            let changed = CashInputs.randomize(&portfolio, asOf: Self.date, &generator)
            try await CashInputs.write(portfolio, tenantRef: "w\(seed)", documents: changed, pool: pool)
            LimitInputs.randomize(&portfolio, asOf: Self.date, &generator)
            try await LimitInputs.write(portfolio, tenantRef: "w\(seed)", pool: pool)
            let tenant = try await tenantID("w\(seed)")
            let groups = Set(portfolio.debtors.map { $0.groupRef ?? $0.ref }).count
            for round in 0..<3 {
                let date = Self.date.adding(days: Int(generator.next() % 60) - 45)
                let expected = WorstDefault.oneAtATime(portfolio, asOf: date, limit: groups)
                let produced = try await worst(tenant, date, limit: groups)
                compared += 1
                ranked += expected.count
                for row in expected { for breach in row.newBreaches { added[breach.code, default: 0] += 1 } }
                if produced != expected {
                    let first = zip(produced, expected).first { $0.0 != $0.1 }
                    mismatches.append("seed \(seed), \(documents) documents, as of \(date): \(produced.count) rows against \(expected.count)"
                        + (first.map { "; first difference: SQL \($0.0) / reference \($0.1)" } ?? ""))
                }
                // Only the first few asked, once a portfolio: the ranking's head.
                if round == 0 {
                    let few = 1 + Int(generator.next() % 5)
                    #expect(try await worst(tenant, date, limit: few) == Array(expected.prefix(few)), "seed \(seed), as of \(date), limit \(few)")
                }
            }
        }
        #expect(compared == 90)
        #expect(ranked > 1000, "\(ranked) groups ranked")
        // The random books do add breaches of both kinds a single default can add.
        #expect(added[.overAdvance, default: 0] > 0 && added[.countryLimitBreach, default: 0] > 0, "\(added)")
        if !mismatches.isEmpty { Issue.record("the ranking differs from the definition:\n\(mismatches.prefix(10).joined(separator: "\n"))") }
    }
}
