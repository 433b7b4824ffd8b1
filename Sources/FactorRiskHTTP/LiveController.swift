import FactorRiskCore
import FactorRiskPostgres
import Hummingbird

/// Live answers on current data: a debtor's exposure, the purchase check, a client's availability.
///
/// Every route answers only for dates within `LiveDateRange` (400 naming the range otherwise),
/// and a request that must build the live state of a new date spends one of its key's builds
/// (`LiveBuildLimiter`; 429 with `Retry-After` when they are spent).
struct LiveController {
    let store: any LiveStore
    let limiter: LiveBuildLimiter

    func register(on group: RouterGroup<APIContext>) {
        group.get("debtors/{debtor_ref}/exposure", use: exposure)
        group.get("debtors/{debtor_ref}/check", use: check)
        group.get("clients/{client_ref}/availability", use: availability)
    }

    /// The store's answer for `identity`, its builds admitted by the limiter, a date out of range as the caller's error.
    func answer<T>(_ identity: APIIdentity, _ read: (@escaping LiveBuildAdmission) async throws -> T) async throws -> T {
        do {
            return try await read { [limiter] in try limiter.admit(tenantID: identity.tenantID, keyID: identity.keyID) }
        } catch let error as LiveDateOutOfRange {
            throw APIError.invalidParameter("as_of", error.description)
        }
    }

    static func header(_ identity: APIIdentity, _ date: CalendarDate, _ settings: TenantSettings) -> [(String, JSONText)] {
        [("tenant", .string(identity.tenantRef)), ("as_of", .string(date.description)), ("currency", .string(settings.tenant.baseCurrency.code))]
    }

    @Sendable func exposure(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let date = try RequestInput.date(request, "as_of") ?? CalendarDate.today()
        let ref = try context.pathParameter("debtor_ref")
        let answer = try await answer(identity) { try await store.debtorExposure(identity.tenant, asOf: date, debtorRef: ref, admit: $0) }
        let settings = answer.settings
        guard let exposure = answer.value else { throw APIError.notFound("debtor \"\(ref)\"") }
        let report = RiskReport(tenantRef: identity.tenantRef, asOf: date, currency: settings.tenant.baseCurrency)
        return .json(.object(Self.header(identity, date, settings) + [
            ("debtor", report.json(exposure.debtor)), ("pairs", .array(exposure.pairs.map { report.json($0) })),
        ]))
    }

    @Sendable func check(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let date = try RequestInput.date(request, "as_of") ?? CalendarDate.today()
        let debtorRef = try context.pathParameter("debtor_ref")
        let clientRef = try RequestInput.required(request, "client")
        let amountText = try RequestInput.required(request, "amount")
        let answer = try await answer(identity) {
            try await store.purchase(identity.tenant, asOf: date, debtorRef: debtorRef, clientRef: clientRef, admit: $0)
        }
        let settings = answer.settings
        guard let exposure = answer.value?.exposure else { throw APIError.notFound("debtor \"\(debtorRef)\"") }
        guard let client = answer.value?.client else { throw APIError.notFound("client \"\(clientRef)\"") }
        let exponent = settings.tenant.baseCurrency.exponent
        let amount: Int64
        do {
            amount = try Money.parse(amountText, exponent: exponent)
        } catch {
            throw APIError.invalidParameter("amount", "\"\(amountText)\": \(error)")
        }
        guard amount > 0 else { throw APIError.invalidParameter("amount", "must be above 0") }
        if let refusal = Money.refusal(amount, text: amountText, exponent: exponent) { throw APIError.invalidParameter("amount", refusal) }
        let pair = exposure.pairs.first { $0.clientRef == clientRef } ?? RiskReport.PairRow(clientRef: clientRef, debtorRef: debtorRef)
        let affiliate = exposure.declaredGroupRef != nil && exposure.declaredGroupRef == client.groupRef
        let result = PurchaseCheck(
            amount: amount, pair: pair, debtor: exposure.debtor, group: exposure.group, country: exposure.country, affiliate: affiliate)
        func money(_ value: Int64) -> JSONText { .string(Money.format(value, exponent: exponent)) }
        // The pending change's entry says when it takes effect.
        let limits: [JSONText] = result.limits.map { limit in
            .object([("limit", .string(limit.kind.rawValue)), ("ref", .string(limit.ref)), ("headroom", money(limit.headroom))]
                    + (limit.effectiveOn.map { [("effective_on", .string($0.description))] } ?? []))
        }
        let reason: JSONText = result.ineligibleReason.map { .string($0.rawValue) } ?? .null
        let members: [(String, JSONText)] = [
            ("client_ref", .string(clientRef)), ("debtor_ref", .string(debtorRef)), ("amount", money(amount)),
            ("allowed", .bool(result.allowed)), ("stopped_by", .array(result.stoppedBy.map { .string($0) })),
            ("ineligible_reason", reason), ("limits", .array(limits)), ("available_limit", money(result.availableLimit)),
        ]
        return .json(.object(Self.header(identity, date, settings) + members))
    }

    @Sendable func availability(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let date = try RequestInput.date(request, "as_of") ?? CalendarDate.today()
        let ref = try context.pathParameter("client_ref")
        let answer = try await answer(identity) { try await store.clientAvailability(identity.tenant, asOf: date, clientRef: ref, admit: $0) }
        let settings = answer.settings
        guard let client = answer.value else { throw APIError.notFound("client \"\(ref)\"") }
        let report = RiskReport(tenantRef: identity.tenantRef, asOf: date, currency: settings.tenant.baseCurrency)
        return .json(.object(Self.header(identity, date, settings) + [("client", report.json(client))]))
    }
}
