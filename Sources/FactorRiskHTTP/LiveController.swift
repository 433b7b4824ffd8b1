import FactorRiskCore
import FactorRiskPostgres
import Hummingbird

/// Live answers on current data: a debtor's exposure, the purchase check, a client's availability.
struct LiveController {
    let store: any LiveStore

    func register(on group: RouterGroup<APIContext>) {
        group.get("debtors/{debtor_ref}/exposure", use: exposure)
        group.get("debtors/{debtor_ref}/check", use: check)
        group.get("clients/{client_ref}/availability", use: availability)
    }

    static func header(_ identity: APIIdentity, _ date: CalendarDate, _ settings: TenantSettings) -> [(String, JSONText)] {
        [("tenant", .string(identity.tenantRef)), ("as_of", .string(date.description)), ("currency", .string(settings.tenant.baseCurrency.code))]
    }

    @Sendable func exposure(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let date = try RequestInput.date(request, "as_of") ?? CalendarDate.today()
        let ref = try context.pathParameter("debtor_ref")
        let answer = try await store.debtorExposure(identity.tenant, asOf: date, debtorRef: ref)
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
        let answer = try await store.purchase(identity.tenant, asOf: date, debtorRef: debtorRef, clientRef: clientRef)
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
        let limits: [JSONText] = result.limits.map { limit in
            .object([("limit", .string(limit.kind.rawValue)), ("ref", .string(limit.ref)), ("headroom", money(limit.headroom))])
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
        let answer = try await store.clientAvailability(identity.tenant, asOf: date, clientRef: ref)
        let settings = answer.settings
        guard let client = answer.value else { throw APIError.notFound("client \"\(ref)\"") }
        let report = RiskReport(tenantRef: identity.tenantRef, asOf: date, currency: settings.tenant.baseCurrency)
        return .json(.object(Self.header(identity, date, settings) + [("client", report.json(client))]))
    }
}
