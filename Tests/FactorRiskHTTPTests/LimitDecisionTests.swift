import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// Limit decisions as limit changes (RULEBOOK.md §9.1) with the tenant's notice for a cut, a
/// debtor's limits in time (`GET /v1/debtors/{ref}/limits`), and the purchase check against a
/// pending cut (§9.2), on the limits example (`Tests/Fixtures/limits`) imported beside the worked one.
@Suite("limit decisions with notice, a debtor's limits in time, the purchase check against a pending cut")
struct LimitDecisionTests {
    /// The limits example's tenant "limits" and its keys by role.
    struct Tenant {
        let id: Int64
        let read: String, write: String, admin: String
    }

    /// Imports the limits example as tenant "limits", with `policy` as its policy.json and, when
    /// given, `ownFunds` in its tenant.csv.
    static func limitsTenant(_ api: APIHarness, policy: String? = nil, ownFunds: String? = nil) async throws -> Tenant {
        let source = "\(Fixtures.packageRoot)/Tests/Fixtures/limits"
        let folder = TestCluster.temporaryFolder("limits-tenant")
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for name in try FileManager.default.contentsOfDirectory(atPath: source) where name.hasSuffix(".csv") {
            try FileManager.default.copyItem(atPath: "\(source)/\(name)", toPath: "\(folder)/\(name)")
        }
        if let policy { try Fixtures.write(policy, "policy.json", in: folder) }
        if let ownFunds {
            try Fixtures.write("tenant_ref,name,base_currency,home_country,own_funds\nlimits,Limits and Cover Factor,EUR,FR,\(ownFunds)\n",
                               "tenant.csv", in: folder)
        }
        try await BundleImporter(pool: api.pool).importBundle(directory: folder, tenantRef: "limits")
        let id = try await api.pool.withConnection {
            try $0.query("SELECT tenant_id FROM tenants WHERE tenant_ref = 'limits'").first!.decode(Int64.self, at: 0)
        }
        func key(_ role: APIRole) async throws -> String {
            try await api.pool.tenantTransaction(id) { try APIKeys.create($0, tenantID: id, role: role, label: "\(role.rawValue) limits").token }
        }
        return Tenant(id: id, read: try await key(.read), write: try await key(.write), admin: try await key(.admin))
    }

    static let today = CalendarDate.today()

    /// `days` after today, as the API writes a date.
    static func day(_ days: Int) -> String { today.adding(days: days).description }

    /// A credit-limit decision's body.
    static func limit(_ value: String, effective days: Int? = nil, previous: String? = nil, urgent: Bool? = nil) -> String {
        var members = [#""credit_limit": "\#(value)""#, #""reason": "review""#]
        if let days { members.append(#""effective_on": "\#(day(days))""#) }
        if let previous { members.append(#""previous": "\#(previous)""#) }
        if let urgent { members.append(#""urgent": \#(urgent)"#) }
        return "{" + members.joined(separator: ", ") + "}"
    }

    /// An approval decision's body.
    static func approval(_ value: String, effective days: Int? = nil, previous: String? = nil, urgent: Bool? = nil) -> String {
        limit(value, effective: days, previous: previous, urgent: urgent).replacingOccurrences(of: "\"credit_limit\"", with: "\"approved\"")
    }

    /// The `field` of each entry of an array member, in order.
    static func column(_ value: JSONValue?, _ field: String) -> [JSONValue] {
        guard case .array(let items)? = value else { return [] }
        return items.map { $0[field] ?? .null }
    }

    @Test("roles: read is refused, write decides with notice off by default, urgent needs admin and is audited")
    func roles() async throws {
        try await APIHarness.run("limits-roles") { api in
            let refused = try await api.client(api.read).send("PUT", "/v1/debtors/D3/credit-limit", body: Self.limit("60000.00"))
            #expect(refused.status == 403)
            #expect(refused.errorCode == "insufficient_role")
            // limit_notice_days defaults to 0: a write key cuts D3 from 100,000.00 to 60,000.00 today.
            let cut = try await api.client(api.write).send("PUT", "/v1/debtors/D3/credit-limit", body: Self.limit("60000.00"))
            #expect(cut.status == 200, "\(cut.body)")
            #expect(cut.json["previous"] == .string("100000.00"))
            #expect(cut.json["credit_limit"] == .string("60000.00"))
            #expect(cut.json["effective_on"] == .string(Self.today.description))
            #expect(cut.json["urgent"] == .bool(false))
            #expect(cut.json["change_ref"] == .string("api-000000000001"))
            // Urgent from a write key: 403, whatever the change (here a raise).
            let urgent = try await api.client(api.write).send("PUT", "/v1/approvals/C1/D3", body: Self.approval("90000.00", urgent: true))
            #expect(urgent.status == 403, "\(urgent.body)")
            #expect(urgent.json["error"]?["details"] == .array([.object([("path", .string("$.urgent")), ("message", .string("needs the admin role"))])]))
            let admin = try await api.client(api.admin).send("PUT", "/v1/approvals/C1/D3", body: Self.approval("70000.00", urgent: true))
            #expect(admin.status == 200, "\(admin.body)")
            #expect(admin.json["previous"] == .string("80000.00"))
            #expect(admin.json["urgent"] == .bool(true))

            // The files' values stay; each decision is one change, announced today, with its audit row.
            let stored = try await api.pool.withConnection { connection in
                (try connection.query("SELECT credit_limit FROM debtors WHERE tenant_id = $1 AND debtor_ref = 'D3'", [api.demo]).first!.decode(Int64.self, at: 0),
                 try connection.query("""
                    SELECT string_agg(concat_ws(' ', change_ref, CASE WHEN client_id IS NULL THEN 'limit' ELSE 'approval' END, new_limit, announced_on, effective_on), ';' ORDER BY change_ref)
                    FROM limit_changes WHERE tenant_id = $1
                    """, [api.demo]).first!.decode(String.self, at: 0))
            }
            #expect(stored.0 == 10_000_000)
            let today = Self.today.description
            #expect(stored.1 == "api-000000000001 limit 6000000 \(today) \(today);api-000000000002 approval 7000000 \(today) \(today)")
            let audit = try await api.client(api.admin).get("/v1/decisions")
            #expect(Self.column(audit.json["decisions"], "urgent") == [.bool(true), .bool(false)], "\(audit.body)")
            #expect(Self.column(audit.json["decisions"], "change_ref") == [.string("api-000000000002"), .string("api-000000000001")])
            #expect(Self.column(audit.json["decisions"], "effective_on") == [.string(today), .string(today)])
            #expect(Self.column(audit.json["decisions"], "old_value") == [.string("80000.00"), .string("100000.00")])
        }
    }

    @Test("notice: a cut sooner than limit_notice_days is refused unless an admin marks it urgent; a raise needs none; the past is closed")
    func notice() async throws {
        try await APIHarness.run("limits-notice") { api in
            let tenant = try await Self.limitsTenant(api, policy: #"{"limit_notice_days": 30}"#)
            let writer = api.client(tenant.write)
            // M1's limit in force is 200,000.00 (LC02) on every date from today on; L1–M1's approval 150,000.00 (approvals.csv).
            for days in [0, 29] {
                let short = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("150000.00", effective: days))
                #expect(short.status == 422, "\(days): \(short.body)")
                #expect(short.errorCode == "notice_required")
                #expect(Self.column(short.json["error"]?["details"], "path") == [.string("$.effective_on")])
                #expect(short.body.contains(Self.day(30)), "the earliest date: \(short.body)")
            }
            let admin = api.client(tenant.admin)
            #expect((try await admin.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("150000.00", effective: 10))).errorCode == "notice_required")
            let noticed = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("150000.00", effective: 30))
            #expect(noticed.status == 200, "\(noticed.body)")
            #expect(noticed.json["previous"] == .string("200000.00"))
            #expect(noticed.json["effective_on"] == .string(Self.day(30)))
            // A raise takes effect today: measured against 200,000.00, in force today.
            let raise = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("250000.00"))
            #expect(raise.status == 200, "\(raise.body)")
            #expect(raise.json["previous"] == .string("200000.00"))
            // The approval likewise: refused short, 403 urgent from write, accepted urgent from admin.
            #expect((try await writer.send("PUT", "/v1/approvals/L1/M1", body: Self.approval("100000.00"))).errorCode == "notice_required")
            #expect((try await writer.send("PUT", "/v1/approvals/L1/M1", body: Self.approval("100000.00", urgent: true))).status == 403)
            let urgent = try await admin.send("PUT", "/v1/approvals/L1/M1", body: Self.approval("100000.00", urgent: true))
            #expect(urgent.status == 200, "\(urgent.body)")
            #expect(urgent.json["previous"] == .string("150000.00"))
            #expect(urgent.json["urgent"] == .bool(true))
            // Not before today, and a date at all.
            let past = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("260000.00", effective: -1))
            #expect(past.status == 422)
            #expect(Self.column(past.json["error"]?["details"], "path") == [.string("$.effective_on")], "\(past.body)")
            let malformed = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: #"{"credit_limit": "1.00", "reason": "x", "effective_on": "2026-02-30"}"#)
            #expect(Self.column(malformed.json["error"]?["details"], "path") == [.string("$.effective_on")], "\(malformed.body)")
            let notBoolean = try await admin.send("PUT", "/v1/debtors/M1/credit-limit", body: #"{"credit_limit": "1.00", "reason": "x", "urgent": "yes"}"#)
            #expect(Self.column(notBoolean.json["error"]?["details"], "path") == [.string("$.urgent")], "\(notBoolean.body)")

            let audit = try await admin.get("/v1/decisions")
            #expect(Self.column(audit.json["decisions"], "subject") == [.string("approval"), .string("credit_limit"), .string("credit_limit")], "\(audit.body)")
            #expect(Self.column(audit.json["decisions"], "urgent") == [.bool(true), .bool(false), .bool(false)])
            #expect(Self.column(audit.json["decisions"], "effective_on") == [.string(Self.day(0)), .string(Self.day(0)), .string(Self.day(30))])
        }
    }

    @Test("GET …/limits: the files' values, those in force and pending, and each change's status as of a date")
    func limitsInTime() async throws {
        try await APIHarness.run("limits-list") { api in
            let tenant = try await Self.limitsTenant(api)
            let reader = api.client(tenant.read)
            // M1 as of 2026-11-20: LC01 overridden by the two changes of 10-01, of which LC02 was announced later; LC10 in force on D itself.
            let m1 = try await reader.get("/v1/debtors/M1/limits?as_of=2026-11-20")
            #expect(m1.status == 200, "\(m1.body)")
            #expect(m1.json["tenant"] == .string("limits"))
            #expect(m1.json["currency"] == .string("EUR"))
            #expect(m1.json["credit_limit"] == .object([
                ("file", .string("300000.00")), ("in_force", .string("200000.00")), ("pending_limit", .null), ("pending_on", .null),
            ]))
            #expect(m1.json["approvals"] == .array([
                .object([("client_ref", .string("L1")), ("file", .string("150000.00")), ("in_force", .string("150000.00")),
                         ("pending_approved", .null), ("pending_on", .null)]),
                .object([("client_ref", .string("L2")), ("file", .string("50000.00")), ("in_force", .string("80000.00")),
                         ("pending_approved", .null), ("pending_on", .null)]),
            ]))
            #expect(Self.column(m1.json["changes"], "change_ref") == ["LC01", "LC03", "LC02", "LC10"].map { .string($0) })
            #expect(Self.column(m1.json["changes"], "status") == ["past", "past", "in_force", "in_force"].map { .string($0) })
            #expect(Self.column(m1.json["changes"], "client_ref") == [.null, .null, .null, .string("L2")])
            #expect(Self.column(m1.json["changes"], "new_limit").first == .string("250000.00"))
            // M2: LC04 and LC05 both on 12-05, LC05 announced later is next; LC06 pending too.
            let m2 = try await reader.get("/v1/debtors/M2/limits?as_of=2026-11-20")
            #expect(m2.json["credit_limit"] == .object([
                ("file", .string("150000.00")), ("in_force", .string("150000.00")), ("pending_limit", .string("60000.00")),
                ("pending_on", .string("2026-12-05")),
            ]))
            #expect(Self.column(m2.json["changes"], "change_ref") == ["LC04", "LC05", "LC06"].map { .string($0) })
            #expect(Self.column(m2.json["changes"], "status") == ["pending", "pending", "pending"].map { .string($0) })
            #expect(Self.column(m2.json["changes"], "effective_on") == ["2026-12-05", "2026-12-05", "2027-01-31"].map { .string($0) })
            // M5: LC09 not yet announced; L2's approval expired by LC12.
            let m5 = try await reader.get("/v1/debtors/M5/limits?as_of=2026-11-20")
            #expect(m5.json["credit_limit"]?["in_force"] == .string("80000.00"))
            #expect(m5.json["credit_limit"]?["pending_limit"] == .null)
            #expect(Self.column(m5.json["changes"], "change_ref") == [.string("LC09"), .string("LC12")])
            #expect(Self.column(m5.json["changes"], "status") == [.string("unannounced"), .string("in_force")])
            #expect(Self.column(m5.json["approvals"], "in_force") == [.string("50000.00"), .string("0.00")])

            // A decision is a change like those: pending until its date, then in force; a new pair appears.
            let writer = api.client(tenant.write)
            #expect((try await writer.send("PUT", "/v1/debtors/M5/credit-limit", body: Self.limit("70000.00", effective: 400))).status == 200)
            #expect((try await writer.send("PUT", "/v1/approvals/L1/M2", body: Self.approval("1000.00", previous: "0.00"))).status == 200)
            // On day 200 (after 2026-12-21, whatever today is) LC09 is in force and the decision pending.
            let pending = try await reader.get("/v1/debtors/M5/limits?as_of=\(Self.day(200))")
            #expect(pending.json["credit_limit"]?["in_force"] == .string("10000.00"), "\(pending.body)")
            #expect(pending.json["credit_limit"]?["pending_limit"] == .string("70000.00"))
            #expect(pending.json["credit_limit"]?["pending_on"] == .string(Self.day(400)))
            #expect(Self.column(pending.json["changes"], "change_ref") == [.string("LC09"), .string("api-000000000001"), .string("LC12")])
            #expect(Self.column(pending.json["changes"], "status") == [.string("in_force"), .string("pending"), .string("in_force")])
            #expect(Self.column(pending.json["changes"], "announced_on")[1] == .string(Self.today.description))
            let later = try await reader.get("/v1/debtors/M5/limits?as_of=\(Self.day(400))")
            #expect(later.json["credit_limit"]?["in_force"] == .string("70000.00"))
            #expect(Self.column(later.json["changes"], "status") == [.string("past"), .string("in_force"), .string("in_force")])
            // Without as_of, today: L1–M2 has no approvals row, only the decision, in force today.
            let m2Now = try await reader.get("/v1/debtors/M2/limits")
            #expect(m2Now.json["as_of"] == .string(Self.today.description))
            #expect(m2Now.json["approvals"] == .array([
                .object([("client_ref", .string("L1")), ("file", .null), ("in_force", .string("1000.00")), ("pending_approved", .null), ("pending_on", .null)]),
                .object([("client_ref", .string("L2")), ("file", .string("120000.00")), ("in_force", .string("120000.00")),
                         ("pending_approved", .null), ("pending_on", .null)]),
            ]), "\(m2Now.body)")

            // Another tenant's debtors are unknown, to read and to decide on; a bad date is a 400.
            #expect((try await api.client(api.read).get("/v1/debtors/M1/limits")).status == 404)
            #expect((try await reader.get("/v1/debtors/D1/limits")).status == 404)
            #expect((try await reader.get("/v1/debtors/M1/limits?as_of=2026-13-01")).status == 400)
            #expect((try await api.client(api.write).send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("1.00"))).status == 404)
            #expect((try await writer.send("PUT", "/v1/debtors/D1/credit-limit", body: Self.limit("1.00"))).status == 404)
            #expect((try await writer.send("PUT", "/v1/approvals/C1/M1", body: Self.approval("1.00"))).status == 404)
        }
    }

    @Test("previous is checked against the value in force on effective_on, and the audit keeps that value")
    func conflictInForce() async throws {
        try await APIHarness.run("limits-conflict") { api in
            let tenant = try await Self.limitsTenant(api)
            let writer = api.client(tenant.write)
            // debtors.csv says 300,000.00 for M1; LC02's 200,000.00 is in force.
            let stale = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("210000.00", effective: 10, previous: "300000.00"))
            #expect(stale.status == 409)
            #expect(stale.errorCode == "conflict")
            #expect(stale.json["error"]?["details"] == .array([.object([("path", .string("$.previous")), ("message", .string("the value in force is 200000.00"))])]))
            let first = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("210000.00", effective: 10, previous: "200000.00"))
            #expect(first.status == 200, "\(first.body)")
            // From day 10 on, 210,000.00 is in force; before it, still 200,000.00.
            #expect((try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("220000.00", effective: 20, previous: "200000.00"))).status == 409)
            let earlier = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("205000.00", effective: 5, previous: "200000.00"))
            #expect(earlier.status == 200, "\(earlier.body)")
            let later = try await writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("220000.00", effective: 20, previous: "210000.00"))
            #expect(later.json["previous"] == .string("210000.00"), "\(later.body)")
            // L2–M1: approvals.csv 50,000.00, LC10 80,000.00 in force.
            #expect((try await writer.send("PUT", "/v1/approvals/L2/M1", body: Self.approval("90000.00", previous: "50000.00"))).status == 409)
            #expect((try await writer.send("PUT", "/v1/approvals/L2/M1", body: Self.approval("90000.00", previous: "80000.00"))).status == 200)
            let audit = try await api.client(tenant.admin).get("/v1/decisions")
            #expect(Self.column(audit.json["decisions"], "old_value") == ["80000.00", "210000.00", "200000.00", "200000.00"].map { .string($0) },
                    "\(audit.body)")
            #expect(Self.column(audit.json["decisions"], "new_value") == ["90000.00", "220000.00", "205000.00", "210000.00"].map { .string($0) })
        }
    }

    @Test("two decisions on one limit against the same previous value serialise: one is recorded, the other is a conflict")
    func concurrentDecisions() async throws {
        try await APIHarness.run("limits-concurrent") { api in
            let tenant = try await Self.limitsTenant(api)
            let writer = api.client(tenant.write)
            for round in 0..<5 {
                // Each round decides against the value the previous round left in force today.
                let previous = round == 0 ? "200000.00" : "\(200 + round)000.00"
                async let first = writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("\(201 + round)000.00", previous: previous))
                async let second = writer.send("PUT", "/v1/debtors/M1/credit-limit", body: Self.limit("\(201 + round)000.00", previous: previous))
                let statuses = try await [first.status, second.status].sorted()
                #expect(statuses == [200, 409], "round \(round)")
            }
            let audit = try await api.client(tenant.admin).get("/v1/decisions")
            #expect(Self.column(audit.json["decisions"], "old_value") == ["204000.00", "203000.00", "202000.00", "201000.00", "200000.00"].map { .string($0) },
                    "\(audit.body)")
        }
    }

    @Test("the purchase check refuses what a pending cut would not allow, and says so")
    func purchaseAgainstPendingCut() async throws {
        try await APIHarness.run("limits-check") { api in
            // Own funds 2,000,000.00: GA's limit is 25 % = 500,000.00, so that only the pending cut stops the purchase.
            let tenant = try await Self.limitsTenant(api, ownFunds: "2000000.00")
            let check = try await api.client(tenant.read).get("/v1/debtors/M2/check?client=L2&amount=10000.00&as_of=2026-11-20")
            #expect(check.status == 200, "\(check.body)")
            // By hand: L2–M2 120,000 − 100,000 = 20,000; M2 150,000 − 100,000 = 50,000; FR 450,000 − 310,000 = 140,000;
            // GA 500,000 − 280,000 = 220,000; pending LC05 60,000 − 100,000 = −40,000 from 2026-12-05.
            #expect(check.json["allowed"] == .bool(false))
            #expect(check.json["stopped_by"] == .array([.string("pending")]), "\(check.body)")
            #expect(Self.column(check.json["limits"], "headroom") == ["20000.00", "50000.00", "140000.00", "220000.00", "-40000.00"].map { .string($0) })
            #expect(Self.column(check.json["limits"], "limit") == ["approval", "debtor", "country", "group", "pending"].map { .string($0) })
            #expect(Self.column(check.json["limits"], "effective_on") == [.null, .null, .null, .null, .string("2026-12-05")])
            #expect(check.json["available_limit"] == .string("0.00"))
        }
    }

    @Test("PurchaseCheck: a pending cut is a limit of its own, headroom pending_limit − guaranteed; none pending, none")
    func pendingLimitRule() {
        var debtor = RiskReport.DebtorRow(debtorRef: "M2", country: "FR", groupRef: "GA", creditLimit: 15_000_000)
        debtor.guaranteed = 10_000_000
        debtor.headroom = 5_000_000
        var pair = RiskReport.PairRow(clientRef: "L2", debtorRef: "M2")
        pair.approved = 12_000_000
        pair.eligible = 10_000_000
        var group = RiskReport.GroupRow.blank
        group.groupRef = "GA"
        group.limit = 50_000_000
        group.guaranteed = 28_000_000
        var country = RiskReport.CountryRow.blank
        country.country = "FR"
        country.headroom = 14_000_000
        let none = PurchaseCheck(amount: 1_000_000, pair: pair, debtor: debtor, group: group, country: country, affiliate: false)
        #expect(none.limits.map(\.kind) == [.approval, .debtor, .country, .group])
        #expect(none.allowed)
        debtor.pendingLimit = 6_000_000
        debtor.pendingOn = CalendarDate(iso: "2026-12-05")
        let cut = PurchaseCheck(amount: 1_000_000, pair: pair, debtor: debtor, group: group, country: country, affiliate: false)
        #expect(cut.limits.last == PurchaseCheck.Limit(kind: .pending, ref: "M2", headroom: -4_000_000, effectiveOn: CalendarDate(iso: "2026-12-05")))
        #expect(cut.stoppedBy == ["pending"])
        // A pending raise leaves room the limit in force does not give: the debtor's headroom still stops 60,000.00.
        debtor.pendingLimit = 20_000_000
        let raise = PurchaseCheck(amount: 6_000_000, pair: pair, debtor: debtor, group: group, country: country, affiliate: false)
        #expect(raise.stoppedBy == ["approval", "debtor"])
    }
}
