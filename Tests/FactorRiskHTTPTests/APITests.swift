import FactorRiskCore
import FactorRiskHTTP
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import HummingbirdTesting
import Testing

@Suite("the HTTP API, against the live server")
struct APITests {
    @Test("live exposure of D1 and availability of C2 equal the worked example's expected rows")
    func liveAnswers() async throws {
        try await APIHarness.run("api-live") { api in
            let client = api.client(api.read)
            let exposure = try await client.get("/v1/debtors/D1/exposure?as_of=2026-11-20")
            #expect(exposure.status == 200)
            #expect(exposure.json["debtor"] == (try APIHarness.expectedRow("debtor", "debtor_ref", "D1")))
            guard case .array(let pairs)? = exposure.json["pairs"] else { Issue.record("no pairs: \(exposure.body)"); return }
            #expect(pairs.count == 2)
            #expect(pairs.first == (try APIHarness.expected("pair")["rows"].flatMap { rows -> JSONValue? in
                guard case .array(let all) = rows else { return nil }
                return all.first { $0["client_ref"] == .string("C1") && $0["debtor_ref"] == .string("D1") }
            }))
            let availability = try await client.get("/v1/clients/C2/availability?as_of=2026-11-20")
            #expect(availability.status == 200)
            #expect(availability.json["client"] == (try APIHarness.expectedRow("client", "client_ref", "C2")))
            #expect(availability.json["client"]?["availability"] == .string("-110400.00"))
            #expect((try await client.get("/v1/debtors/NOPE/exposure")).errorCode == "not_found")
            #expect((try await client.get("/v1/debtors/D1/exposure?as_of=2026-13-01")).status == 400)
        }
    }

    @Test("the purchase check: within every limit, stopped by the debtor limit at one cent more, by approval, by cross-ageing")
    func purchaseCheck() async throws {
        try await APIHarness.run("api-check") { api in
            let client = api.client(api.read)
            // D1: debtor headroom 25,000.00 (RULEBOOK §7); C1–D1 approval 100,000 − eligible 65,000 = 35,000.
            let fits = try await client.get("/v1/debtors/D1/check?as_of=2026-11-20&client=C1&amount=25000.00")
            #expect(fits.json["allowed"] == .bool(true), "\(fits.body)")
            #expect(fits.json["available_limit"] == .string("25000.00"))
            let over = try await client.get("/v1/debtors/D1/check?as_of=2026-11-20&client=C1&amount=25000.01")
            #expect(over.json["allowed"] == .bool(false))
            #expect(over.json["stopped_by"] == .array([.string("debtor")]))
            // C2–D1: eligible 80,000 is above the approval of 60,000: nothing more is guaranteed.
            let approval = try await client.get("/v1/debtors/D1/check?as_of=2026-11-20&client=C2&amount=1.00")
            #expect(approval.json["stopped_by"] == .array([.string("approval")]))
            // C2–D4 is cross-aged; D4's country TR has 30,000 of headroom (limit 15 % of 200,000, nothing guaranteed).
            let crossAged = try await client.get("/v1/debtors/D4/check?as_of=2026-11-20&client=C2&amount=40000.00")
            #expect(crossAged.json["ineligible_reason"] == .string("cross_aged"))
            #expect(crossAged.json["stopped_by"] == .array([.string("cross_aged"), .string("approval"), .string("country")]), "\(crossAged.body)")
            #expect((try await client.get("/v1/debtors/D1/check?client=C1&amount=12.345")).errorCode == "invalid_parameter")
            #expect((try await client.get("/v1/debtors/D1/check?amount=1.00")).errorCode == "invalid_parameter")
            #expect((try await client.get("/v1/debtors/D1/check?client=NOPE&amount=1.00")).errorCode == "not_found")
        }
    }

    @Test("reports: every level equals the expected report; pages walk the whole level; sort, flag and errors")
    func reports() async throws {
        try await APIHarness.run("api-reports") { api in
            let client = api.client(api.read)
            for level in ["client", "debtor", "group", "country", "pair"] {
                let response = try await client.get("/v1/reports/\(level)?as_of=2026-11-20")
                #expect(response.status == 200)
                #expect(response.json["rows"] == (try APIHarness.expected(level))["rows"], "\(level)")
                #expect(response.json["next_cursor"] == .null)
            }
            let portfolio = try await client.get("/v1/reports/portfolio")
            #expect(portfolio.json == (try APIHarness.expected("portfolio")), "\(portfolio.body)")
            // One row a page, following the cursors, gives the same rows in the same order.
            var rows: [JSONValue] = []
            var path = "/v1/reports/pair?limit=1"
            while true {
                let page = try await client.get(path)
                guard case .array(let got)? = page.json["rows"] else { Issue.record("\(page.body)"); break }
                rows += got
                guard case .string(let cursor)? = page.json["next_cursor"] else { break }
                path = "/v1/reports/pair?limit=1&cursor=\(cursor)"
            }
            #expect(JSONValue.array(rows) == (try APIHarness.expected("pair"))["rows"])
            // Sorted by guaranteed, largest first, two a page.
            let sorted = try await client.get("/v1/reports/debtor?sort=guaranteed&limit=2")
            guard case .array(let top)? = sorted.json["rows"] else { Issue.record("\(sorted.body)"); return }
            #expect(top.map { $0["debtor_ref"] } == [.string("D1"), .string("D3")])
            guard case .string(let cursor)? = sorted.json["next_cursor"] else { Issue.record("no cursor"); return }
            let rest = try await client.get("/v1/reports/debtor?sort=guaranteed&limit=2&cursor=\(cursor)")
            guard case .array(let second)? = rest.json["rows"] else { Issue.record("\(rest.body)"); return }
            #expect(second.map { $0["debtor_ref"] } == [.string("D2"), .string("D4")])
            let flagged = try await client.get("/v1/reports/client?flag=CROSS_AGED")
            guard case .array(let flaggedRows)? = flagged.json["rows"] else { Issue.record("\(flagged.body)"); return }
            #expect(flaggedRows.map { $0["client_ref"] } == [JSONValue.string("C2")])
            let breaches = try await client.get("/v1/flags?level=breach")
            #expect(breaches.json["flags"] == .array([
                .object([("subject", .string("client")), ("ref", .string("C1")), ("code", .string("OVER_ADVANCE")), ("level", .string("breach"))]),
                .object([("subject", .string("client")), ("ref", .string("C2")), ("code", .string("OVER_ADVANCE")), ("level", .string("breach"))]),
            ]))
            #expect((try await client.get("/v1/reports/debtor?as_of=2026-11-21")).errorCode == "no_snapshot")
            // The analysts' page of the same snapshot, as HTML.
            let page = try await client.get("/reports/2026-11-20")
            #expect(page.status == 200)
            #expect(page.headers["content-type"]?.hasPrefix("text/html") == true)
            #expect(page.body.hasPrefix("<!DOCTYPE html>") && page.body.contains("125,000.00") && page.body.contains("-110,400.00"))
            #expect((try await client.get("/reports/2026-11-21")).errorCode == "no_snapshot")
            #expect((try await client.get("/reports/yesterday")).errorCode == "invalid_parameter")
            #expect((try await api.client(nil).get("/reports/2026-11-20")).status == 401)
            #expect((try await client.get("/v1/reports/nowhere")).status == 404)
            #expect((try await client.get("/v1/reports/debtor?sort=debtor_ref")).errorCode == "invalid_parameter")
            #expect((try await client.get("/v1/reports/debtor?cursor=zz")).errorCode == "invalid_parameter")
            #expect((try await client.get("/v1/reports/pair?flag=CROSS_AGED")).errorCode == "invalid_parameter")
            #expect((try await client.get("/v1/reports/debtor?limit=0")).errorCode == "invalid_parameter")
        }
    }

    @Test("credentials: missing, malformed, wrong, revoked are 401; roles are enforced with 403")
    func credentials() async throws {
        try await APIHarness.run("api-auth") { api in
            let path = "/v1/debtors/D1/exposure?as_of=2026-11-20"
            #expect((try await api.client(nil).get(path)).errorCode == "missing_credentials")
            #expect((try await api.client(nil).get(path)).status == 401)
            #expect((try await api.client("not-a-key").get(path)).errorCode == "invalid_credentials")
            let forged = String(api.read.dropLast(4)) + "0000"
            #expect((try await api.client(forged).get(path)).status == 401)
            #expect((try await api.client(api.read).get(path)).status == 200)
            // Revoked: refused from the next request (this server looks every key up).
            let keyID = Int64(api.read.split(separator: "_")[2])!
            let revoked = try await api.pool.tenantTransaction(api.demo) { try APIKeys.revoke($0, tenantID: api.demo, keyID: keyID) }
            #expect(revoked)
            #expect((try await api.client(api.read).get(path)).errorCode == "invalid_credentials")
            // Roles: read cannot write, write cannot read the audit, admin can.
            let body = #"{"credit_limit": "1.00", "reason": "test"}"#
            #expect((try await api.client(api.otherRead).send("PUT", "/v1/debtors/X1/credit-limit", body: body)).errorCode == "insufficient_role")
            #expect((try await api.client(api.write).get("/v1/decisions")).status == 403)
            #expect((try await api.client(api.admin).get("/v1/decisions")).status == 200)
        }
    }

    @Test("another tenant's resources answer 404 to reads and writes, and nothing of theirs changes")
    func tenantIsolation() async throws {
        try await APIHarness.run("api-tenants") { api in
            let other = api.client(api.otherRead)
            for path in ["/v1/debtors/D1/exposure", "/v1/debtors/D1/check?client=C1&amount=1.00", "/v1/clients/C1/availability"] {
                let response = try await other.get(path)
                #expect(response.status == 404, "\(path): \(response.body)")
            }
            #expect((try await other.get("/v1/reports/debtor?as_of=2026-11-20")).errorCode == "no_snapshot")
            let writer = api.client(api.otherWrite)
            let limit = try await writer.send("PUT", "/v1/debtors/D1/credit-limit", body: #"{"credit_limit": "1.00", "reason": "takeover"}"#)
            #expect(limit.status == 404)
            let approval = try await writer.send("PUT", "/v1/approvals/C1/D1", body: #"{"approved": "0.00", "reason": "takeover"}"#)
            #expect(approval.status == 404)
            let documents = try await writer.send("POST", "/v1/documents", body: """
                {"documents": [{"doc_ref": "I1", "client_ref": "C1", "debtor_ref": "D1", "kind": "invoice", "currency": "EUR",
                  "amount": "1.00", "open_amount": "1.00", "issue_date": "2026-11-01", "due_date": "2026-12-01"}]}
                """)
            #expect(documents.status == 422)
            #expect(documents.json["error"]?["details"] == .array([
                .object([("path", .string("$.documents[0].client_ref")), ("message", .string("unknown client \"C1\""))]),
                .object([("path", .string("$.documents[0].debtor_ref")), ("message", .string("unknown debtor \"D1\""))]),
            ]))
            let untouched = try await api.pool.withConnection { connection in
                (try connection.query("SELECT credit_limit FROM debtors WHERE tenant_id = $1 AND debtor_ref = 'D1'", [api.demo]).first!.decode(Int64.self, at: 0),
                 try connection.query("SELECT open_amount FROM documents WHERE tenant_id = $1 AND doc_ref = 'I1'", [api.demo]).first!.decode(Int64.self, at: 0),
                 try connection.query("SELECT count(*) FROM limit_decisions").first!.decode(Int.self, at: 0))
            }
            #expect(untouched.0 == 15_000_000)
            #expect(untouched.1 == 7_000_000)
            #expect(untouched.2 == 0)
        }
    }

    @Test("POST /v1/documents: a batch is checked like an import, by JSON path, and all or nothing")
    func documentValidation() async throws {
        try await APIHarness.run("api-docs-bad") { api in
            let client = api.client(api.write)
            func post(_ body: String) async throws -> HTTPTestClient.Response { try await client.send("POST", "/v1/documents", body: body) }
            #expect((try await post("{\"documents\": [")).errorCode == "invalid_json")
            #expect((try await post("[1]")).status == 422)
            let good = #"{"doc_ref": "W1", "client_ref": "C1", "debtor_ref": "D3", "kind": "invoice", "currency": "EUR", "amount": "10.00", "open_amount": "10.00", "issue_date": "2026-11-01", "due_date": "2026-12-01"}"#
            let response = try await post("""
                {"documents": [\(good),
                  {"doc_ref": "W2", "client_ref": "C1", "debtor_ref": "D3", "kind": "invoice", "currency": "EUR", "amount": 10, "open_amount": "10.001",
                   "issue_date": "2026-11-01", "due_date": "2026-10-01", "colour": "red"},
                  {"doc_ref": "W3", "client_ref": "C1", "debtor_ref": "D3", "kind": "bill", "currency": "EUR", "amount": "5.00", "open_amount": "6.00",
                   "issue_date": "2026-11-01", "due_date": "2026-10-01", "disputed": "no"},
                  {"doc_ref": "W4", "client_ref": "C1", "debtor_ref": "D3", "kind": "invoice", "currency": "EUR", "amount": "5.00", "open_amount": "6.00",
                   "issue_date": "2026-11-01", "due_date": "2026-10-01"},
                  \(good)]}
                """)
            #expect(response.status == 422)
            #expect(response.errorCode == "validation_failed")
            guard case .array(let details)? = response.json["error"]?["details"] else { Issue.record("\(response.body)"); return }
            let paths = details.compactMap { if case .string(let path)? = $0["path"] { path } else { nil } }
            #expect(paths.contains("$.documents[1].colour"))
            #expect(paths.contains("$.documents[1].amount"))
            #expect(paths.contains("$.documents[2].disputed"))
            #expect(paths.contains("$.documents[3].open_amount"))
            #expect(paths.contains("$.documents[3].due_date"))
            #expect(paths.contains("$.documents[4].doc_ref"))
            #expect((try await post(#"{"documents": [], "extra": 1}"#)).json["error"]?["details"] ==
                    .array([.object([("path", .string("$.extra")), ("message", .string("unknown field"))])]))
            #expect((try await post(#"{"docs": []}"#)).status == 422)
            let large = "{\"documents\": [" + String(repeating: good + ",", count: 60_000) + good + "]}"
            let tooLarge = try await post(large)
            #expect(tooLarge.status == 413, "\(tooLarge.status) \(tooLarge.body.prefix(200))")
            let count = try await api.pool.withConnection { try $0.query("SELECT count(*) FROM documents WHERE doc_ref LIKE 'W%'").first!.decode(Int.self, at: 0) }
            #expect(count == 0)
        }
    }

    @Test("writes move the live answers: new invoices at once, a raised approval and a cut credit limit from today, audited, equal a recalculation")
    func writesAndAudit() async throws {
        try await APIHarness.run("api-writes") { api in
            let writer = api.client(api.write)
            // Build the live state first, so the writes below are applied to it pair by pair.
            #expect((try await writer.get("/v1/debtors/D3/exposure?as_of=2026-11-20")).status == 200)
            let posted = try await writer.send("POST", "/v1/documents", body: """
                {"documents": [
                  {"doc_ref": "W1", "client_ref": "C1", "debtor_ref": "D3", "kind": "invoice", "currency": "EUR", "amount": "20000.00",
                   "open_amount": "20000.00", "issue_date": "2026-11-10", "due_date": "2026-12-10"},
                  {"doc_ref": "W2", "client_ref": "C2", "debtor_ref": "D3", "kind": "invoice", "currency": "USD", "amount": "1000.01",
                   "open_amount": "1000.01", "issue_date": "2026-11-10", "due_date": "2026-12-10", "disputed": false},
                  {"doc_ref": "I1", "client_ref": "C1", "debtor_ref": "D1", "kind": "invoice", "currency": "EUR", "amount": "70000.00",
                   "open_amount": "50000.00", "issue_date": "2026-10-15", "due_date": "2026-12-15"}]}
                """)
            #expect(posted.status == 200, "\(posted.body)")
            #expect(posted.json == .object([("received", .number("3")), ("inserted", .number("2")), ("updated", .number("1")), ("unchanged", .number("0"))]), "\(posted.body)")
            let approval = try await writer.send("PUT", "/v1/approvals/C2/D3", body: #"{"approved": "500.00", "reason": "new buyer", "previous": "0.00"}"#)
            #expect(approval.status == 200, "\(approval.body)")
            let stale = try await writer.send("PUT", "/v1/debtors/D3/credit-limit", body: #"{"credit_limit": "60000.00", "reason": "review", "previous": "1.00"}"#)
            #expect(stale.errorCode == "conflict")
            let limit = try await writer.send("PUT", "/v1/debtors/D3/credit-limit", body: #"{"credit_limit": "60000.00", "reason": "review", "previous": "100000.00"}"#)
            #expect(limit.json["previous"] == .string("100000.00"), "\(limit.body)")
            #expect((try await writer.send("PUT", "/v1/debtors/D3/credit-limit", body: #"{"credit_limit": "1.00"}"#)).status == 422)
            #expect((try await writer.send("PUT", "/v1/debtors/D3/credit-limit", body: #"{"credit_limit": "1.00", "reason": "x", "by": "me"}"#)).status == 422)

            // Live answers after the writes equal what a recalculation of the same data stores: on
            // 2026-11-20, before the decisions (announced and effective today), and today.
            let today = CalendarDate.today()
            var answers: [CalendarDate: (d3: JSONValue, d1: JSONValue)] = [:]
            for date in [APIHarness.asOf, today] {
                let live = try await writer.get("/v1/debtors/D3/exposure?as_of=\(date)")
                let liveD1 = try await writer.get("/v1/debtors/D1/exposure?as_of=\(date)")
                let liveC1 = try await writer.get("/v1/clients/C1/availability?as_of=\(date)")
                try await api.pool.tenantBulkTransaction(api.demo) { try ProductionEngine.recalculate($0, tenantID: api.demo, asOf: date) }
                for (answer, level, key, ref, field) in [(live, "debtor", "debtor_ref", "D3", "debtor"), (liveD1, "debtor", "debtor_ref", "D1", "debtor"),
                                                         (liveC1, "client", "client_ref", "C1", "client")] {
                    let stored = try await writer.get("/v1/reports/\(level)?as_of=\(date)")
                    guard case .array(let rows)? = stored.json["rows"] else { Issue.record("\(stored.body)"); continue }
                    #expect(answer.json[field] == rows.first { $0[key] == .string(ref) }, "\(date) \(ref): \(answer.body)")
                }
                answers[date] = (live.json, liveD1.json)
            }
            // By hand, on 2026-11-20: D3 had 45,000.00 guaranteed; N1 adds 20,000.00 within C1's 80,000 approval; N2 (C2–D3)
            // is unapproved then: 65,000.00 on the limit of 100,000.00 then in force.
            let before = answers[APIHarness.asOf]?.d3["debtor"]
            #expect(before?["guaranteed"] == .string("65000.00"))
            #expect(before?["credit_limit"] == .string("100000.00"))
            // I1 paid down by 20,000.00: C1–D1 eligible 45,000.00.
            #expect(answers[APIHarness.asOf]?.d1["pairs"].flatMap { if case .array(let p) = $0 { p.first?["eligible"] } else { nil } } == .string("45000.00"))
            // Today the decisions are in force: a 60,000.00 limit, C2–D3 approved 500.00; approvals on D3 total 80,500.00, above the limit.
            let after = answers[today]?.d3["debtor"]
            #expect(after?["credit_limit"] == .string("60000.00"))
            #expect(after?["approved_total"] == .string("80500.00"))
            if case .array(let flags)? = after?["flags"] { #expect(flags.contains(.string("DEBTOR_OVER_ALLOCATED"))) } else { Issue.record("no flags") }
            #expect(answers[today]?.d3["pairs"].flatMap { if case .array(let p) = $0 { p.first { $0["client_ref"] == .string("C2") }?["approved"] } else { nil } } == .string("500.00"))

            let audit = try await api.client(api.admin).get("/v1/decisions")
            guard case .array(let decisions)? = audit.json["decisions"] else { Issue.record("\(audit.body)"); return }
            #expect(decisions.count == 2)
            #expect(decisions.first?["subject"] == .string("credit_limit"))
            #expect(decisions.first?["old_value"] == .string("100000.00"))
            #expect(decisions.first?["new_value"] == .string("60000.00"))
            #expect(decisions.first?["reason"] == .string("review"))
            #expect(decisions.first?["decided_by"] == .string("key \(api.write.split(separator: "_")[2]) (write test)"))
            #expect(decisions.last?["client_ref"] == .string("C2"))
            #expect(decisions.last?["old_value"] == .null)
        }
    }

    @Test("operations: healthz, readyz, metrics by route and status, and the served OpenAPI document")
    func operations() async throws {
        try await APIHarness.run("api-ops") { api in
            let client = api.client(nil)
            #expect((try await client.get("/healthz")).json == .object([("status", .string("ok"))]))
            let ready = try await client.get("/readyz")
            #expect(ready.status == 200)
            #expect(ready.json["migrations"]?["applied"] == .number(String(Migration.bundled.count)))
            _ = try await api.client(api.read).get("/v1/debtors/D1/exposure")
            _ = try await client.get("/v1/debtors/D1/exposure")
            let metrics = try await client.get("/metrics")
            #expect(metrics.headers["content-type"]?.hasPrefix("text/plain") == true)
            #expect(metrics.body.contains(#"factor_risk_http_requests_total{route="/v1/debtors/{debtor_ref}/exposure",method="GET",status="200"} 1"#), "\(metrics.body)")
            #expect(metrics.body.contains(#"factor_risk_http_requests_total{route="/v1/debtors/{debtor_ref}/exposure",method="GET",status="401"} 1"#))
            #expect(metrics.body.contains("factor_risk_last_recalc_timestamp_seconds{tenant_id=\"\(api.demo)\",as_of=\"2026-11-20\"}"))
            #expect(metrics.body.contains("factor_risk_pool_connections{state=\"open\"}"))
            let document = try await client.get("/openapi.json")
            #expect(document.body == String(decoding: OpenAPIDocument.served, as: UTF8.self))
            #expect(document.body.contains(#""utilization_bp""#))
            #expect((try await client.get("/nowhere")).errorCode == "not_found")
        }
    }

    @Test("a database that cannot be reached is a 503 the client can retry, never a 500")
    func databaseUnavailable() async throws {
        let pool = PGPool(.init(conninfo: "host=/nonexistent-factor-risk-socket connect_timeout=1", maxConnections: 1))
        let application = APIServer.application(pool: pool, configuration: .init(host: "127.0.0.1", port: 0, keyCacheSeconds: 0))
        try await application.test(.live) { live in
            let client = HTTPTestClient(live, token: "frk_1_1_" + String(repeating: "ab", count: 32))
            let ready = try await client.get("/readyz")
            #expect(ready.status == 503)
            #expect(ready.errorCode == "database_unavailable")
            let exposure = try await client.get("/v1/debtors/D1/exposure")
            #expect(exposure.status == 503, "\(exposure.body)")
            #expect((try await client.get("/healthz")).status == 200)
        }
    }
}
