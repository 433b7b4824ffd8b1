import FactorRiskCore
import FactorRiskPostgres
import Hummingbird

/// A debtor's limits in time (RULEBOOK.md §9.1, §9.2): its credit limit and its approvals as the
/// files state them, in force and next pending on a date, and every change with where it stands.
///
/// Any date may be asked, past or future: the answer is the changes as recorded now, judged on
/// that date; nothing is computed but `LimitHistory` over them, so no live state is built.
struct LimitsController {
    let store: any DecisionStore

    func register(on group: RouterGroup<APIContext>) {
        group.get("debtors/{debtor_ref}/limits", use: limits)
    }

    @Sendable func limits(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .read)
        let date = try RequestInput.date(request, "as_of") ?? CalendarDate.today()
        let ref = try context.pathParameter("debtor_ref")
        guard let limits = try await store.limits(identity.tenant, debtorRef: ref) else { throw APIError.notFound("debtor \"\(ref)\"") }
        let exponent = limits.currency.exponent
        func money(_ value: Int64?) -> JSONText { value.map { .string(Money.format($0, exponent: exponent)) } ?? .null }
        // The file's value, the value in force (none counts as 0) and the next pending change of one
        // limit, whose new value is named `pending`.
        func state(_ subject: DebtorLimits.Subject, pending: String) -> [(String, JSONText)] {
            let next = LimitHistory.nextPending(subject.changes, on: date)
            let current = LimitHistory.inForce(subject.changes, on: date)?.newLimit ?? subject.file ?? 0
            return [("file", money(subject.file)), ("in_force", money(current)), (pending, money(next?.newLimit)),
                    ("pending_on", next.map { .string($0.effectiveOn.description) } ?? .null)]
        }
        let approvals: [JSONText] = limits.approvals.map { subject in
            .object([("client_ref", .string(subject.clientRef ?? ""))] + state(subject, pending: "pending_approved"))
        }
        let changes: [JSONText] = ([limits.creditLimit] + limits.approvals).flatMap { subject in
            LimitHistory.statuses(subject.changes, on: date).map { change, status in
                .object([
                    ("change_ref", .string(change.ref)), ("client_ref", change.clientRef.map { .string($0) } ?? .null),
                    ("new_limit", money(change.newLimit)), ("announced_on", .string(change.announcedOn.description)),
                    ("effective_on", .string(change.effectiveOn.description)), ("status", .string(status.rawValue)),
                ])
            }
        }
        return .json(.object([
            ("tenant", .string(identity.tenantRef)), ("as_of", .string(date.description)), ("currency", .string(limits.currency.code)),
            ("debtor_ref", .string(ref)), ("credit_limit", .object(state(limits.creditLimit, pending: "pending_limit"))),
            ("approvals", .array(approvals)), ("changes", .array(changes)),
        ]))
    }
}
