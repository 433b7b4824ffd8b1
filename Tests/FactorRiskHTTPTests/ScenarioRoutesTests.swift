import FactorRiskCore
import FactorRiskHTTP
import FactorRiskPostgres
import FactorRiskTestSupport
import Foundation
import Testing

/// `POST /v1/scenarios` and `GET /v1/scenarios/worst` (RULEBOOK.md §9.4, FORMATS.md "What-if
/// scenarios"): the limits example's answers, the refusals by JSON path, one run per tenant at a
/// time, and a tenant's groups only.
@Suite("scenario routes: what-if scenarios and the worst single defaults")
struct ScenarioRoutesTests {
    static let expected = "\(Fixtures.limitsExample)/expected"

    /// The limits example imported as tenant "limits" beside the harness's tenants; a read key of it and its id.
    static func limitsTenant(_ api: APIHarness) async throws -> (key: String, id: Int64) {
        try await BundleImporter(pool: api.pool).importBundle(directory: Fixtures.limitsExample, tenantRef: "limits")
        let id = try await api.pool.withConnection {
            try $0.query("SELECT tenant_id FROM tenants WHERE tenant_ref = 'limits'").first!.decode(Int64.self, at: 0)
        }
        let key = try await api.pool.tenantTransaction(id) { try APIKeys.create($0, tenantID: id, role: .read, label: "read test").token }
        return (key, id)
    }

    /// A JSON text as an object to compare regardless of member order.
    static func object(_ text: String) -> NSObject? {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? NSObject
    }

    static func file(_ name: String) throws -> String {
        try String(contentsOfFile: "\(expected)/\(name)", encoding: .utf8)
    }

    /// The body of `expected/scenario-<name>.json` with the example's date.
    static func body(_ name: String) throws -> String {
        let scenario = try #require(object(try file("scenario-\(name).json")) as? [String: Any])
        var body = scenario
        body["as_of"] = "2026-11-20"
        return String(decoding: try JSONSerialization.data(withJSONObject: body), as: UTF8.self)
    }

    /// The paths of an error's details, in order.
    static func paths(_ answer: HTTPTestClient.Response) -> [String] {
        guard case .array(let details)? = answer.json["error"]?["details"] else { return [] }
        return details.compactMap { if case .string(let path)? = $0["path"] { path } else { nil } }
    }

    @Test("the limits example's two scenarios answer expected/whatif-gb.json and whatif-ga-es.json; worst?limit=5 answers worst.json")
    func expectedAnswers() async throws {
        try await APIHarness.run("api-scenarios") { api in
            let client = api.client(try await Self.limitsTenant(api).key)
            for name in ["gb", "ga-es"] {
                let answer = try await client.send("POST", "/v1/scenarios", body: try Self.body(name))
                #expect(answer.status == 200, "\(name): \(answer.body)")
                #expect(Self.object(answer.body) == Self.object(try Self.file("whatif-\(name).json")), "\(name): \(answer.body)")
            }
            let worst = try await client.get("/v1/scenarios/worst?as_of=2026-11-20&limit=5")
            #expect(worst.status == 200, "\(worst.body)")
            #expect(Self.object(worst.body) == Self.object(try Self.file("worst.json")), "\(worst.body)")
            // Without a limit, ten at most: the example has three groups with covered exposure.
            let all = try await client.get("/v1/scenarios/worst?as_of=2026-11-20")
            guard case .array(let rows)? = all.json["rows"] else { Issue.record("no rows: \(all.body)"); return }
            #expect(rows.map { $0["group_ref"] } == [.string("GB"), .string("GA"), .string("M5")])
            // limit=1 keeps the worst: GB, 126,000.00.
            let one = try await client.get("/v1/scenarios/worst?as_of=2026-11-20&limit=1")
            guard case .array(let first)? = one.json["rows"] else { Issue.record("no rows: \(one.body)"); return }
            #expect(first.count == 1 && first.first?["loss"] == .string("126000.00"), "\(one.body)")
        }
    }

    @Test("no key or a bad key is 401 on both routes; a read key gets past the check")
    func roles() async throws {
        try await APIHarness.run("api-scenario-roles") { api in
            for token in [nil, "frk_not_a_key"] {
                let client = api.client(token)
                let post = try await client.send("POST", "/v1/scenarios", body: #"{"as_of": "2026-11-20", "defaulted": ["G1"]}"#)
                #expect(post.status == 401, "\(post.body)")
                #expect(try await client.get("/v1/scenarios/worst?as_of=2026-11-20").status == 401)
            }
            // A read key reaches the checks of the request itself.
            let refused = try await api.client(api.read).send("POST", "/v1/scenarios", body: #"{"as_of": "2026-11-20"}"#)
            #expect(refused.status == 422 && Self.paths(refused) == ["$"], "\(refused.body)")
            let answered = try await api.client(api.read).send("POST", "/v1/scenarios", body: #"{"as_of": "2026-11-20", "defaulted": ["G1"]}"#)
            #expect(answered.status == 200, "\(answered.body)")
        }
    }

    @Test("a bad body is 422 naming every bad member by its JSON path: the date, each defaulted entry, each grade")
    func validation() async throws {
        try await APIHarness.run("api-scenario-422") { api in
            let client = api.client(api.read)
            let cases: [(String, [String])] = [
                (#"{"as_of": "2026-13-01", "defaulted": ["D1", 3, ""], "grades": {"es": 3, "ES": 9, "FR": "2", "DE": 1.5, "IT": 7}}"#,
                 ["$.as_of", "$.defaulted[1]", "$.defaulted[2]", "$.grades.es", "$.grades.ES", "$.grades.FR", "$.grades.DE"]),
                (#"{"defaulted": ["D1"]}"#, ["$.as_of"]),
                // A NUL or another control character, or more than 64 characters, names no group.
                (#"{"as_of": "2026-11-20", "defaulted": ["D1", "G\u0000", "a\tb", "\#(String(repeating: "x", count: 65))"]}"#,
                 ["$.defaulted[1]", "$.defaulted[2]", "$.defaulted[3]"]),
                (#"{"as_of": 20261120, "grades": {"FR": 1}}"#, ["$.as_of"]),
                (#"{"as_of": "2026-11-20", "defaulted": "D1"}"#, ["$.defaulted"]),
                (#"{"as_of": "2026-11-20", "grades": ["FR", 1]}"#, ["$.grades"]),
                (#"{"as_of": "2026-11-20", "defaulted": [], "grades": {}}"#, ["$"]),
                (#"{"as_of": "2026-11-20", "defaulted": ["D1"], "saved": "x"}"#, ["$.saved"]),
            ]
            for (body, expected) in cases {
                let answer = try await client.send("POST", "/v1/scenarios", body: body)
                #expect(answer.status == 422, "\(body): \(answer.body)")
                #expect(answer.errorCode == "validation_failed", "\(body)")
                #expect(Self.paths(answer) == expected, "\(body): \(answer.body)")
            }
            // Not JSON, or a country given twice: the body is refused before it is read.
            for body in ["{", #"{"as_of": "2026-11-20", "grades": {"FR": 1, "FR": 2}}"#] {
                let answer = try await client.send("POST", "/v1/scenarios", body: body)
                #expect(answer.status == 400 && answer.errorCode == "invalid_json", "\(body): \(answer.body)")
            }
            for query in ["", "as_of=2026-11-31", "as_of=2026-11-20&limit=0", "as_of=2026-11-20&limit=101", "as_of=2026-11-20&limit=x"] {
                let answer = try await client.get("/v1/scenarios/worst?\(query)")
                #expect(answer.status == 400, "\(query): \(answer.body)")
                #expect(answer.errorCode == "invalid_parameter", "\(query)")
            }
        }
    }

    @Test("a group the tenant does not have is 422 at each place it is named, another tenant's groups included")
    func unknownGroups() async throws {
        try await APIHarness.run("api-scenario-groups") { api in
            let limits = api.client(try await Self.limitsTenant(api).key)
            // GB is a group of limits; D1 is a debtor of demo, X1 of other; M1 is a debtor of limits, but in group GA.
            let answer = try await limits.send("POST", "/v1/scenarios",
                                               body: #"{"as_of": "2026-11-20", "defaulted": ["GB", "D1", "X1", "M1", "D1"]}"#)
            #expect(answer.status == 422, "\(answer.body)")
            #expect(Self.paths(answer) == ["$.defaulted[1]", "$.defaulted[2]", "$.defaulted[3]", "$.defaulted[4]"], "\(answer.body)")
            #expect(answer.body.contains(#"no group \"X1\" in this tenant"#), "\(answer.body)")
            // The other way round: demo's key does not reach limits' groups, nor other's.
            for ref in ["GB", "GA", "M5", "X1"] {
                let foreign = try await api.client(api.read).send("POST", "/v1/scenarios", body: #"{"as_of": "2026-11-20", "defaulted": ["\#(ref)"]}"#)
                #expect(foreign.status == 422 && Self.paths(foreign) == ["$.defaulted[0]"], "\(ref): \(foreign.body)")
                #expect(!foreign.body.contains("loss"), "\(ref)")
            }
        }
    }

    @Test("while another session holds the tenant's scenario lock, both routes are 429 rate_limited with Retry-After; other tenants go on")
    func oneAtATime() async throws {
        try await APIHarness.run("api-scenario-busy") { api in
            let (key, id) = try await Self.limitsTenant(api)
            let client = api.client(key)
            // Another server's run, as the database sees it: a session holding the tenant's lock.
            let holder = try api.database.connect()
            try holder.query("SELECT pg_advisory_lock($1)", [TenantScope(id: id).key(.scenario)])
            for answer in [try await client.send("POST", "/v1/scenarios", body: try Self.body("gb")),
                           try await client.get("/v1/scenarios/worst?as_of=2026-11-20")] {
                #expect(answer.status == 429, "\(answer.body)")
                #expect(answer.errorCode == "rate_limited")
                let retryAfter = try #require(answer.headers["retry-after"].flatMap { Int($0) }, "\(answer.headers)")
                #expect(retryAfter >= 1)
            }
            // Another tenant's lock is its own.
            #expect(try await api.client(api.read).get("/v1/scenarios/worst?as_of=2026-11-20").status == 200)
            try holder.query("SELECT pg_advisory_unlock($1)", [TenantScope(id: id).key(.scenario)])
            let after = try await client.get("/v1/scenarios/worst?as_of=2026-11-20")
            #expect(after.status == 200, "\(after.body)")
        }
    }

    @Test("a run longer than the server's scenario timeout is stopped and answered 503 scenario_timeout, never a 500")
    func timeout() async throws {
        // One millisecond: no computation of a tenant's portfolio fits in it.
        try await APIHarness.run("api-scenario-timeout", scenarioTimeout: .milliseconds(1)) { api in
            let client = api.client(try await Self.limitsTenant(api).key)
            for answer in [try await client.send("POST", "/v1/scenarios", body: try Self.body("gb")),
                           try await client.get("/v1/scenarios/worst?as_of=2026-11-20")] {
                #expect(answer.status == 503, "\(answer.body)")
                #expect(answer.errorCode == "scenario_timeout", "\(answer.body)")
            }
            // The connection the run used is fine afterwards: the tenant's other routes answer.
            #expect(try await api.client(api.read).get("/v1/flags").status == 200)
        }
    }
}
