import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

@Suite("bundle import")
struct ImportTests {
    let database: TestDatabase
    let pool: PGPool
    let importer: BundleImporter

    init() async throws {
        database = try await TestCluster.shared.freshDatabase("import")
        pool = database.pool(maxConnections: 2)
        importer = BundleImporter(pool: pool, maxIssues: 50)
    }

    /// Row counts of every tenant table, as the owner sees them (all tenants).
    func counts() throws -> [String: Int] {
        let connection = try database.connect()
        var counts: [String: Int] = [:]
        for table in ["tenants", "policies", "countries", "clients", "debtors", "approvals", "documents", "fx_rates"] {
            counts[table] = try connection.query("SELECT count(*) FROM \(table)").first?.decode(Int.self, at: 0)
        }
        return counts
    }

    func scalar<T: PGDecodable>(_ sql: String, _ parameters: [(any PGBindable)?] = [], as type: T.Type = T.self) throws -> T {
        try #require(try database.connect().query(sql, parameters).first).decode(T.self, at: 0)
    }

    /// Imports `bundle` expecting a refusal; checks nothing was written and returns the problems.
    func refused(_ bundle: String, tenant: String = "demo") async throws -> BundleImporter.Failure {
        let before = try counts()
        let failure = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importBundle(directory: bundle, tenantRef: tenant)
        }
        #expect(try counts() == before, "nothing written")
        return try #require(failure)
    }

    /// Imports `bundle` a second time expecting no row inserted or updated and `rows` (the rows
    /// as text, with their row versions) as they were; returns the second import's summary.
    func reimportChangesNothing(_ bundle: String, tenant: String, rows: () throws -> [String]) async throws -> BundleImporter.Summary {
        let before = try rows()
        let again = try await importer.importBundle(directory: bundle, tenantRef: tenant)
        #expect(again.files.allSatisfy { $0.inserted == 0 && $0.updated == 0 })
        #expect(try rows() == before, "not even a row version changed")
        return again
    }

    @Test("the worked example loads: every row of every file, money in minor units")
    func loadsTheWorkedExample() async throws {
        let summary = try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        #expect(summary.tenantCreated)
        #expect(summary.files.map(\.file) == ["tenant.csv", "countries.csv", "clients.csv", "debtors.csv", "approvals.csv", "fx_rates.csv", "documents.csv"])
        #expect(summary.files.map(\.inserted) == [1, 3, 2, 4, 5, 2, 12])
        let expected: [String: Int] = ["tenants": 1, "policies": 1, "countries": 3, "clients": 2, "debtors": 4, "approvals": 5, "documents": 12, "fx_rates": 2]
        #expect(try counts() == expected)
        #expect(try scalar("SELECT own_funds FROM tenants WHERE tenant_ref = 'demo'", as: Int64.self) == 100_000_000)
        #expect(try scalar("SELECT open_amount FROM documents WHERE doc_ref = 'I1'", as: Int64.self) == 7_000_000)
        #expect(try scalar("SELECT rate::text FROM fx_rates WHERE currency = 'USD' AND as_of = '2026-11-19'", as: String.self) == "0.900000000000")
        #expect(try scalar("SELECT approved FROM approvals a JOIN clients c USING (tenant_id, client_id) JOIN debtors d USING (tenant_id, debtor_id) WHERE c.client_ref = 'C2' AND d.debtor_ref = 'D1'", as: Int64.self) == 6_000_000)
        #expect(try scalar("SELECT count(*) FROM debtors WHERE group_ref IS NULL", as: Int.self) == 2)
        #expect(try scalar("SELECT explicit_limit IS NULL FROM countries WHERE country = 'TR'", as: Bool.self))
    }

    @Test("re-importing the same bundle changes nothing, not even a row version")
    func reimportIsANoOp() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let versions = try scalar("SELECT string_agg(xmin::text, ',' ORDER BY doc_ref) FROM documents", as: String.self)
        let again = try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        #expect(!again.tenantCreated)
        #expect(again.files.allSatisfy { $0.inserted == 0 && $0.updated == 0 })
        #expect(again.files.map(\.unchanged) == [1, 3, 2, 4, 5, 2, 12])
        #expect(try scalar("SELECT string_agg(xmin::text, ',' ORDER BY doc_ref) FROM documents", as: String.self) == versions)
    }

    @Test("a newer extract updates in place: a new open amount, a raised limit, a new invoice")
    func newerExtractUpdates() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let bundle = try Fixtures.workedExampleCopy("newer")
        try Fixtures.write("""
            debtor_ref,name,country,group_ref,credit_limit
            D1,Hyper Nord,FR,G1,175000.00
            """, "debtors.csv", in: bundle)
        try Fixtures.write("""
            doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed
            I1,C1,D1,invoice,EUR,100000.00,35000.50,2026-10-01,2026-11-30,false
            I9,C2,D2,invoice,EUR,1200.00,1200.00,2026-11-18,2026-12-18,false
            """, "documents.csv", in: bundle)
        for name in ["tenant.csv", "countries.csv", "clients.csv", "approvals.csv", "fx_rates.csv"] {
            try FileManager.default.removeItem(atPath: "\(bundle)/\(name)")
        }
        let summary = try await importer.importBundle(directory: bundle, tenantRef: "demo")
        #expect(summary.files.map(\.file) == ["debtors.csv", "documents.csv"])
        #expect(summary.files.map(\.updated) == [1, 1])
        #expect(summary.files.map(\.inserted) == [0, 1])
        #expect(try scalar("SELECT credit_limit FROM debtors WHERE debtor_ref = 'D1'", as: Int64.self) == 17_500_000)
        #expect(try scalar("SELECT open_amount FROM documents WHERE doc_ref = 'I1'", as: Int64.self) == 3_500_050)
        // Rows the extract does not mention stay as they were.
        #expect(try scalar("SELECT count(*) FROM documents", as: Int.self) == 13)
        #expect(try scalar("SELECT credit_limit FROM debtors WHERE debtor_ref = 'D2'", as: Int64.self) == 6_000_000)
    }

    @Test("amounts are parsed exactly with each currency's minor digits (EUR 2, JPY 0, KWD 3)")
    func exactMoneyPerCurrency() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let bundle = try Fixtures.workedExampleCopy("money")
        try Fixtures.write("""
            doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed
            E1,C1,D3,invoice,EUR,1234.5,0.01,2026-11-01,2026-12-01,false
            E2,C1,D3,invoice,EUR,99999999999999.99,99999999999999.99,2026-11-01,2026-12-01,false
            J1,C1,D3,invoice,JPY,1234567,1234567,2026-11-01,2026-12-01,false
            K1,C1,D3,invoice,KWD,1.234,0.005,2026-11-01,2026-12-01,false
            """, "documents.csv", in: bundle)
        try await importer.importBundle(directory: bundle, tenantRef: "demo")
        let stored = try database.connect().query("SELECT doc_ref, amount, open_amount FROM documents WHERE doc_ref IN ('E1','E2','J1','K1') ORDER BY doc_ref").rows.map {
            "\(try $0.decode(String.self, at: 0)) \(try $0.decode(Int64.self, at: 1)) \(try $0.decode(Int64.self, at: 2))"
        }
        #expect(stored == ["E1 123450 1", "E2 9999999999999999 9999999999999999", "J1 1234567 1234567", "K1 1234 5"])

        let wrong = try Fixtures.workedExampleCopy("money-bad")
        try Fixtures.write("""
            doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed
            E3,C1,D3,invoice,EUR,10.001,1,2026-11-01,2026-12-01,false
            J2,C1,D3,invoice,JPY,100.5,100,2026-11-01,2026-12-01,false
            K2,C1,D3,invoice,KWD,1.2345,1,2026-11-01,2026-12-01,false
            E4,C1,D3,invoice,EUR,1e3,1,2026-11-01,2026-12-01,false
            E5,C1,D3,invoice,EUR,"1,000.00",1,2026-11-01,2026-12-01,false
            E6,C1,D3,invoice,EUR,92233720368547758.08,1,2026-11-01,2026-12-01,false
            E7,C1,D3,invoice,EUR,-5.00,0,2026-11-01,2026-12-01,false
            E8,C1,D3,invoice,EUR,100000000000000.00,1,2026-11-01,2026-12-01,false
            """, "documents.csv", in: wrong)
        let failure = try await refused(wrong)
        #expect(failure.total == 8)
        #expect(failure.issues.map { "\($0.line!) \($0.column!)" } == (2...9).map { "\($0) amount" })
        #expect(failure.issues[0].message.contains("3 decimals, the currency allows 2"))
        #expect(failure.issues[1].message.contains("the currency allows none"))
        #expect(failure.issues[2].message.contains("4 decimals, the currency allows 3"))
        #expect(failure.issues[6].message.contains("negative"))
        #expect(failure.issues[7].message == "100000000000000.00 is above the largest amount, 99999999999999.99")
    }

    @Test("every bad row is reported by file, line and column, and nothing is written",
          arguments: [
            // (file, contents, expected "line column: message fragment")
            ("clients.csv", "client_ref,name,country,mode,annual_revenue,financial_grade,holdback_bp,funding_limit,funded_balance,group_ref\nC1,Alpha SAS,FR,silent,8000000.00,3,1000,500000.00,100000.00,\n",
             "2 mode: \"silent\" is not a mode"),
            ("documents.csv", "doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\nI1,C1,D1,invoice,EUR,100.00,100.01,2026-10-01,2026-11-30,false\n",
             "2 open_amount: 100.01 is above amount 100.00"),
            ("documents.csv", "doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\nI1,C1,D1,invoice,EUR,100.00,10.00,2026-10-01,2026-09-30,false\n",
             "2 due_date: 2026-09-30 is before issue_date 2026-10-01"),
            ("documents.csv", "doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\nI1,C1,D1,invoice,EUR,100.00,10.00,2026-02-29,2026-03-30,false\n",
             "2 issue_date: \"2026-02-29\" is not a date"),
            ("documents.csv", "doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\nI1,C1,D1,invoice,ABC,100.00,10.00,2026-10-01,2026-11-30,false\n",
             "2 currency: \"ABC\" is not an ISO 4217 currency code"),
            ("documents.csv", "doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\nI1,C1,D7,invoice,EUR,100.00,10.00,2026-10-01,2026-11-30,false\n",
             "2 debtor_ref: unknown debtor_ref \"D7\""),
            ("documents.csv", "doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\nI1,C1,D1,invoice,EUR,100.00,10.00,2026-10-01,2026-11-30,false\nI1,C1,D1,invoice,EUR,100.00,10.00,2026-10-01,2026-11-30,false\n",
             "3 doc_ref: duplicate key I1 (first on line 2)"),
            ("approvals.csv", "client_ref,debtor_ref,approved\nC1,D1,100.00\nC2,D9,5.00\n",
             "3 debtor_ref: unknown debtor_ref \"D9\""),
            ("approvals.csv", "client_ref,debtor_ref,approved\nC1,D1,100.00\nC1,D1,5.00\n",
             "3 client_ref,debtor_ref: duplicate key C1, D1 (first on line 2)"),
            ("documents.csv", "doc_ref,client_ref,debtor_ref,kind,currency,amount\nI1,C1,D1,invoice,EUR,100.00\n",
             "1 open_amount: the header lacks column \"open_amount\""),
            ("debtors.csv", "debtor_ref,name,country,group_ref,credit_limit,rating\nD1,Hyper Nord,FR,G1,150000.00,A\n",
             "1 rating: unknown column \"rating\""),
            ("debtors.csv", "debtor_ref,name,country,group_ref,credit_limit\nD1,Hyper Nord,FR,G1\n",
             "2 -: 4 fields, the header has 5"),
            ("debtors.csv", "debtor_ref,name,country,group_ref,credit_limit\nD1,\"Hyper \"Nord\",FR,G1,150000.00\n",
             "2 field 2: malformed CSV: text after the closing quote"),
            ("debtors.csv", "debtor_ref,name,country,group_ref,credit_limit\nD1,Hyper \"Nord\",FR,G1,150000.00\n",
             "2 field 2: malformed CSV: a quote inside an unquoted field"),
            ("debtors.csv", "debtor_ref,name,country,group_ref,credit_limit\nD1,\"Hyper Nord,FR,G1,150000.00\n",
             "2 field 2: malformed CSV: a quoted field is never closed"),
            ("countries.csv", "country,grade,embargoed,limit\nFR,9,false,\nfr,0,no,\n",
             "2 grade: \"9\" is not a whole number from 0 to 7"),
            ("fx_rates.csv", "currency,as_of,rate\nUSD,2026-11-19,-0.9\n",
             "2 rate: \"-0.9\" is not a positive decimal rate"),
          ])
    func badInputIsReported(file: String, contents: String, expected: String) async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let bundle = try Fixtures.workedExampleCopy("bad")
        try Fixtures.write(contents, file, in: bundle)
        let failure = try await refused(bundle)
        let first = try #require(failure.issues.first)
        #expect(first.file == file)
        #expect("\(first.line ?? 0) \(first.column ?? "-"): \(first.message)".hasPrefix(expected), "\(failure)")
    }

    @Test("invalid UTF-8 is reported with its line and field")
    func invalidUTF8() async throws {
        let bundle = try Fixtures.workedExampleCopy("utf8")
        var bytes = Array("client_ref,name,country,mode,annual_revenue,financial_grade,holdback_bp,funding_limit,funded_balance,group_ref\nC1,Alpha ".utf8)
        bytes += [0xC3, 0x28]
        bytes += Array(",FR,notified,8000000.00,3,1000,500000.00,100000.00,\n".utf8)
        try Data(bytes).write(to: URL(fileURLWithPath: "\(bundle)/clients.csv"))
        let failure = try await refused(bundle)
        #expect(failure.issues.first?.description == "clients.csv line 2, column field 2: malformed CSV: not valid UTF-8")
    }

    @Test("a file full of bad rows lists the first ones in full and counts the rest")
    func issuesAreCapped() async throws {
        let capped = BundleImporter(pool: pool, maxIssues: 5)
        let bundle = try Fixtures.workedExampleCopy("cap")
        var text = "doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed\n"
        for i in 0..<120 { text += "X\(i),C1,D1,invoice,EUR,10.00,20.00,2026-10-01,2026-11-30,false\n" }
        try Fixtures.write(text, "documents.csv", in: bundle)
        let failure = await #expect(throws: BundleImporter.Failure.self) { try await capped.importBundle(directory: bundle, tenantRef: "demo") }
        #expect(failure?.total == 120)
        #expect(failure?.issues.count == 5)
        #expect(failure?.description.contains("… and 115 more") == true)
        #expect(try counts()["tenants"] == 0)
    }

    @Test("a bundle for one tenant can touch no other")
    func tenantIsolation() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        // The same bundle under another name is refused: its tenant.csv names demo.
        let mismatch = try await refused(Fixtures.workedExample, tenant: "other")
        #expect(mismatch.issues.first?.message == "\"demo\" does not match --tenant other")

        // A second tenant with its own clients; its documents cannot name demo's debtors.
        let other = try Fixtures.workedExampleCopy("other")
        try Fixtures.write("tenant_ref,name,base_currency,home_country,own_funds\nother,Other Factor,EUR,FR,500.00\n", "tenant.csv", in: other)
        try Fixtures.write("debtor_ref,name,country,group_ref,credit_limit\nD1,Other D1,FR,,1.00\n", "debtors.csv", in: other)
        try Fixtures.write("client_ref,debtor_ref,approved\nC1,D1,1.00\n", "approvals.csv", in: other)
        try Fixtures.write("""
            doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed
            I1,C1,D1,invoice,EUR,5.00,5.00,2026-11-01,2026-12-01,false
            I2,C1,D2,invoice,EUR,5.00,5.00,2026-11-01,2026-12-01,false
            """, "documents.csv", in: other)
        let unknown = try await refused(other, tenant: "other")
        #expect(unknown.issues.map(\.description) == [#"documents.csv line 3, column debtor_ref: unknown debtor_ref "D2" (not in debtors.csv nor loaded before)"#])

        try Fixtures.write("""
            doc_ref,client_ref,debtor_ref,kind,currency,amount,open_amount,issue_date,due_date,disputed
            I1,C1,D1,invoice,EUR,5.00,5.00,2026-11-01,2026-12-01,false
            """, "documents.csv", in: other)
        try await importer.importBundle(directory: other, tenantRef: "other")
        // Same references, separate rows: demo's I1 and D1 are as they were.
        #expect(try scalar("SELECT open_amount FROM documents d JOIN tenants t USING (tenant_id) WHERE t.tenant_ref = 'demo' AND doc_ref = 'I1'", as: Int64.self) == 7_000_000)
        #expect(try scalar("SELECT credit_limit FROM debtors d JOIN tenants t USING (tenant_id) WHERE t.tenant_ref = 'demo' AND debtor_ref = 'D1'", as: Int64.self) == 15_000_000)
        #expect(try scalar("SELECT count(*) FROM documents d JOIN tenants t USING (tenant_id) WHERE t.tenant_ref = 'other'", as: Int.self) == 1)
        #expect(try scalar("SELECT count(*) FROM documents", as: Int.self) == 13)
    }

    @Test("policy.json overrides only the parameters it names, and a bad one is refused by JSON path")
    func policyOverrides() async throws {
        try await importer.importBundle(directory: Fixtures.workedExample, tenantRef: "demo")
        let folder = try Fixtures.workedExampleCopy("policy")
        try Fixtures.write(#"{"cross_age_bp": 4000, "weight_bp": {"confidential": 17500}, "country_cap_bp": {"7": 100}, "confidential_min_revenue": "30000000.00"}"#, "policy.json", in: folder)
        let summary = try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo")
        #expect(summary.files.map(\.updated) == [1])
        let row = try #require(try database.connect().query("""
            SELECT cross_age_bp, weight_notified_bp, weight_confidential_bp, country_cap_bp::text, confidential_min_revenue FROM policies
            """).first)
        #expect(try row.decode(Int.self, at: 0) == 4000)
        #expect(try row.decode(Int.self, at: 1) == 10000)
        #expect(try row.decode(Int.self, at: 2) == 17500)
        #expect(try row.decode(String.self, at: 3) == "{10000,10000,2500,2000,1500,1000,500,100}")
        #expect(try row.decode(Int64.self, at: 4) == 3_000_000_000)

        try Fixtures.write(#"{"weight_bp": {"confidential": "high"}}"#, "policy.json", in: folder)
        let typed = await #expect(throws: BundleImporter.Failure.self) { try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo") }
        #expect(typed?.issues.first?.description == "policy.json, column $.weight_bp.confidential: must be a whole number from 0 to 100000")
        try Fixtures.write(#"{"max_days": 30}"#, "policy.json", in: folder)
        let unknown = await #expect(throws: BundleImporter.Failure.self) { try await importer.importFile(path: "\(folder)/policy.json", tenantRef: "demo") }
        #expect(unknown?.issues.first?.message == "unknown policy parameter \"max_days\"")
        #expect(try scalar("SELECT cross_age_bp FROM policies", as: Int.self) == 4000)
    }

    @Test("a tenant that does not exist needs a tenant.csv")
    func unknownTenantNeedsTenantFile() async throws {
        let failure = await #expect(throws: BundleImporter.Failure.self) {
            try await importer.importFile(path: "\(Fixtures.workedExample)/documents.csv", tenantRef: "nobody")
        }
        #expect(failure?.issues.first?.message.contains("tenant \"nobody\" does not exist yet") == true)
    }
}
