import FactorRiskCore
import FactorRiskPostgres
import Hummingbird

/// What-if scenarios (RULEBOOK.md §9.4) on the tenant's data as it is now: `POST /v1/scenarios`
/// and the worst single defaults, `GET /v1/scenarios/worst`, for any key of the tenant.
///
/// Each costs as much as a recalculation of the tenant, so the store runs one at a time per tenant
/// across servers: a second one is answered 429 with `Retry-After` rather than queued, and a run
/// that outlasts `timeout` is stopped and answered 503 (`scenario_timeout`), never a 500.
struct ScenariosController {
    let store: any ScenarioStore
    /// How long each statement of a scenario may run (`serve --scenario-timeout`).
    let timeout: Duration

    /// Seconds a refused client is told to wait: a scenario of a tenant of ordinary size takes a few.
    static let retryAfterSeconds = 5
    /// The most rows `GET /v1/scenarios/worst` ranks, and how many when not asked.
    static let worstLimits = 1...100
    static let worstDefaultLimit = 10

    func register(on group: RouterGroup<APIContext>) {
        group.post("scenarios", use: scenario)
        group.get("scenarios/worst", use: worst)
    }

    /// `{"as_of", "defaulted": [group_ref…], "grades": {"CC": G}}` → FORMATS.md's answer.
    @Sendable func scenario(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let members = try await RequestInput.jsonObject(request, context: context, allowed: ["as_of", "defaulted", "grades"])
        let (date, defaulted, grades) = try Self.scenarioBody(members)
        let scenario = Scenario(defaulted: defaulted, grades: grades)
        do {
            let (outcome, report) = try await store.run(identity.tenant, asOf: date, scenario: scenario, saveAs: nil, timeout: timeout)
            return .json(outcome.json(tenant: identity.tenantRef, asOf: date, currency: report.currency))
        } catch let refusal as ScenarioRefusal {
            guard case .unknownGroups(let refs) = refusal.reason else { throw Self.answer(refusal) }
            // Each place the body names an unknown group, by its index.
            let unknown = Set(refs)
            throw WritesController.invalid(defaulted.indices.filter { unknown.contains(defaulted[$0]) }.map {
                APIError.Detail("$.defaulted[\($0)]", "no group \"\(defaulted[$0])\" in this tenant")
            })
        }
    }

    /// `?as_of=&limit=` → `{"tenant", "as_of", "currency", "rows": [{"group_ref", "loss", "loss_own_funds_bp", "new_breaches"}]}`.
    @Sendable func worst(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        guard let date = try RequestInput.date(request, "as_of") else { throw APIError.invalidParameter("as_of", "is required") }
        let limit = try RequestInput.integer(request, "limit", in: Self.worstLimits, default: Self.worstDefaultLimit)
        do {
            let (currency, rows) = try await store.worst(identity.tenant, asOf: date, limit: limit, timeout: timeout)
            return .json(WorstDefault.rankingJSON(rows, tenant: identity.tenantRef, asOf: date, currency: currency))
        } catch let refusal as ScenarioRefusal {
            throw Self.answer(refusal)
        }
    }

    /// The body's date, defaulted group references (as sent, repeats kept, so that an error names
    /// each place) and grades; every problem of the body at once, 422, each by its JSON path.
    static func scenarioBody(_ members: [(String, JSONValue)]) throws(APIError) -> (CalendarDate, [String], [String: Int]) {
        var details: [APIError.Detail] = []
        var date: CalendarDate?
        switch members.first(where: { $0.0 == "as_of" })?.1 {
        case nil: details.append(.init("$.as_of", "is required"))
        case .string(let text)?:
            date = CalendarDate(iso: text)
            if date == nil { details.append(.init("$.as_of", "\"\(text)\" is not a date (YYYY-MM-DD)")) }
        case let value?: details.append(.init("$.as_of", "expected a date string (YYYY-MM-DD), found \(value.typeName)"))
        }
        var defaulted: [String] = []
        switch members.first(where: { $0.0 == "defaulted" })?.1 {
        case nil: break
        case .array(let items)?:
            for (index, item) in items.enumerated() {
                guard case .string(let ref) = item, !ref.isEmpty else {
                    details.append(.init("$.defaulted[\(index)]", "expected a group reference, found \(item == .string("") ? "an empty string" : item.typeName)"))
                    continue
                }
                // A reference of the tenant's data holds no control character and at most 64
                // characters (as the bundle's checks have it): anything else names no group, and a
                // NUL could not even be sent to PostgreSQL.
                guard ref.count <= 64, !ref.unicodeScalars.contains(where: { $0.value < 32 || $0.value == 127 }) else {
                    details.append(.init("$.defaulted[\(index)]", "not a group reference (at most 64 characters, no control characters)"))
                    continue
                }
                defaulted.append(ref)
            }
        case let value?: details.append(.init("$.defaulted", "expected an array of group references, found \(value.typeName)"))
        }
        var grades: [String: Int] = [:]
        switch members.first(where: { $0.0 == "grades" })?.1 {
        case nil: break
        case .object(let entries)?:
            for (country, value) in entries {
                let path = "$.grades.\(country)"
                guard country.utf8.count == 2, country.utf8.allSatisfy({ (65...90).contains($0) }) else {
                    details.append(.init(path, "\"\(country)\" is not an ISO 3166 country code (two capital letters)"))
                    continue
                }
                guard case .number(let text) = value, let grade = Int(text), (0...7).contains(grade) else {
                    details.append(.init(path, "expected a grade, an integer from 0 to 7"))
                    continue
                }
                // A country named twice is not JSON we read (the parser refuses the body, 400).
                grades[country] = grade
            }
        case let value?: details.append(.init("$.grades", "expected an object of country codes and grades, found \(value.typeName)"))
        }
        if details.isEmpty, defaulted.isEmpty, grades.isEmpty {
            details.append(.init("$", "name at least one defaulted group or one country's grade"))
        }
        guard details.isEmpty, let date else { throw WritesController.invalid(details) }
        return (date, defaulted, grades)
    }

    /// A refusal other than an unknown group, as the API answers it.
    static func answer(_ refusal: ScenarioRefusal) -> APIError {
        switch refusal.reason {
        case .busy:
            // The holder's session is the servers' business, not the caller's.
            return APIError(.tooManyRequests, "rate_limited",
                            "another what-if scenario or ranking of this tenant is running: one runs at a time; retry in \(retryAfterSeconds) s",
                            headers: [.retryAfter: String(retryAfterSeconds)])
        case .timedOut:
            return APIError(.serviceUnavailable, "scenario_timeout", refusal.description + "; retry later")
        case .unknownGroups:
            return WritesController.invalid([.init("$.defaulted", refusal.description)])
        }
    }
}
