import FactorRiskCore
import FactorRiskPostgres
import Hummingbird

/// Writes: batches of documents, collections, remittances and document events, and limit
/// decisions with their audit trail.
///
/// The controller reads requests and renders answers; the checks, the merge and the decisions'
/// SQL are the stores' (the import's own for the batches).
struct WritesController {
    let documentStore: any DocumentStore
    let decisionStore: any DecisionStore

    init(documents: any DocumentStore, decisions: any DecisionStore) {
        documentStore = documents
        decisionStore = decisions
    }

    init(pool: PGPool) {
        self.init(documents: PostgresDocumentStore(pool: pool), decisions: PostgresDecisionStore(pool: pool))
    }

    /// The most entries one batch request may carry.
    static let maxDocuments = 10_000

    func register(on group: RouterGroup<APIContext>) {
        for file in PostgresDocumentStore.writableFiles {
            // POST /v1/documents, /v1/collections, /v1/remittances, /v1/document-events.
            group.post(RouterPath(Self.member(file).replacingOccurrences(of: "_", with: "-"))) { request, context in
                try await batch(file, request, context: context)
            }
        }
        group.put("debtors/{debtor_ref}/credit-limit", use: creditLimit)
        group.put("approvals/{client_ref}/{debtor_ref}", use: approval)
        group.get("decisions", use: decisions)
    }

    /// The body's member holding a batch of `file`'s rows: the file's name, as its route
    /// (`{"documents": […]}`, `{"document_events": […]}`).
    static func member(_ file: BundleFile) -> String { String(file.fileName.dropLast(".csv".count)) }

    static func invalid(_ details: [APIError.Detail], of total: Int? = nil) -> APIError {
        let count = total ?? details.count
        let first = details.first.map { "\($0.path): \($0.message)" } ?? ""
        return APIError(.unprocessableContent, "validation_failed",
                        count == 1 ? first : "\(count) problems, the first: \(first)", details: Array(details.prefix(100)))
    }

    // MARK: POST /v1/documents and the other batches

    /// A batch of rows of `file`: each entry an object of the file's columns, strings but for the
    /// booleans (absent: false); checked, staged and merged like an import of the file, all or nothing.
    func batch(_ file: BundleFile, _ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .write)
        let name = Self.member(file)
        let members = try await RequestInput.jsonObject(request, context: context, allowed: [name])
        guard let list = members.first(where: { $0.0 == name })?.1 else { throw Self.invalid([.init("$.\(name)", "is required")]) }
        guard case .array(let items) = list else { throw Self.invalid([.init("$.\(name)", "expected an array, found \(list.typeName)")]) }
        guard (1...Self.maxDocuments).contains(items.count) else {
            throw Self.invalid([.init("$.\(name)", "holds \(items.count) entries; send 1 to \(Self.maxDocuments) per request")])
        }
        // Each entry's members as the file's fields; the store checks them as an import would.
        let columns = file.columns
        var details: [(index: Int, detail: APIError.Detail)] = []
        var rows: [[String]?] = []
        for (index, item) in items.enumerated() {
            let path = "$.\(name)[\(index)]"
            func report(_ field: String, _ message: String) { details.append((index, .init("\(path)\(field)", message))) }
            guard case .object(let fields) = item else {
                report("", "expected an object, found \(item.typeName)")
                rows.append(nil)
                continue
            }
            for (field, _) in fields where !columns.contains(where: { $0.name == field }) { report(".\(field)", "unknown field") }
            var raw: [String] = []
            var typed = true
            for column in columns {
                let value = fields.first { $0.0 == column.name }?.1
                switch (column.kind, value) {
                case (.boolean, nil): raw.append("false")
                case (.boolean, .bool(let flag)?): raw.append(flag ? "true" : "false")
                case (.boolean, let other?):
                    report(".\(column.name)", "expected a boolean, found \(other.typeName)")
                    typed = false
                case (_, .string(let text)?): raw.append(text)
                case (_, nil):
                    report(".\(column.name)", "is required")
                    typed = false
                case (_, let other?):
                    report(".\(column.name)", "expected a string, found \(other.typeName)")
                    typed = false
                }
            }
            rows.append(typed ? raw : nil)
        }
        let counts: DocumentWriteCounts
        do {
            let batch = try await documentStore.check(identity.tenant, file, rows: rows)
            if !details.isEmpty { throw Self.invalid(details.map(\.detail)) }
            counts = try await documentStore.write(identity.tenant, batch)
        } catch let rejection as DocumentBatchRejection {
            let found = rejection.issues.map { issue in (index: issue.index, detail: Self.detail(issue, in: name)) }
            // By entry, what the request itself got wrong before what the checks found.
            let ordered = (details + found).enumerated().sorted { ($0.element.index, $0.offset) < ($1.element.index, $1.offset) }
            throw Self.invalid(ordered.map(\.element.detail), of: details.count + rejection.total)
        }
        return .json(.object([
            ("received", .integer(Int64(counts.received))), ("inserted", .integer(Int64(counts.inserted))),
            ("updated", .integer(Int64(counts.updated))), ("unchanged", .integer(Int64(counts.unchanged))),
        ]))
    }

    /// A problem the store found in an entry of the batch `member`, named by its JSON path.
    static func detail(_ issue: DocumentBatchRejection.Issue, in member: String) -> APIError.Detail {
        let path = "$.\(member)[\(issue.index)].\(issue.column ?? "")"
        switch issue.problem {
        case .invalid(let message): return .init(path, message)
        case .duplicate(let key, let first): return .init(path, "\"\(key)\" is also $.\(member)[\(first)]")
        case .unknownReference(let value):
            // client_ref names a client, debtor_ref a debtor, doc_ref a document.
            let noun = issue.column.map { $0 == "doc_ref" ? "document" : $0.hasSuffix("_ref") ? String($0.dropLast(4)) : $0 } ?? "reference"
            return .init(path, "unknown \(noun) \"\(value)\"")
        }
    }

    // MARK: Limit decisions

    /// A decision's body: the new value, why, from when (default today), whether an admin marks it
    /// urgent, and optionally the value the caller believes in force on that date.
    struct Decision {
        var value: Int64
        var reason: String
        var previous: Int64?
        var effectiveOn: CalendarDate
        var urgent: Bool

        init(_ request: Request, context: APIContext, field: String, exponent: Int, today: CalendarDate) async throws {
            let members = try await RequestInput.jsonObject(request, context: context,
                                                            allowed: [field, "reason", "previous", "effective_on", "urgent"])
            let raw = try RequestInput.string(members, field, path: "$.\(field)", required: true)!
            value = try RequestInput.money(raw, exponent: exponent, path: "$.\(field)")
            guard value >= 0 else { throw WritesController.invalid([.init("$.\(field)", "may not be negative")]) }
            reason = try RequestInput.string(members, "reason", path: "$.reason", required: true)!
            guard !reason.allSatisfy(\.isWhitespace) else { throw WritesController.invalid([.init("$.reason", "may not be empty")]) }
            previous = try RequestInput.string(members, "previous", path: "$.previous", required: false).map { raw throws(APIError) in
                try RequestInput.money(raw, exponent: exponent, path: "$.previous")
            }
            effectiveOn = today
            if let text = try RequestInput.string(members, "effective_on", path: "$.effective_on", required: false) {
                guard let date = CalendarDate(iso: text) else {
                    throw WritesController.invalid([.init("$.effective_on", "\"\(text)\" is not a date (YYYY-MM-DD)")])
                }
                // A decision cannot change the past: what was in force stays as the reports showed it.
                guard date >= today else {
                    throw WritesController.invalid([.init("$.effective_on", "\(date) is before today, \(today): a decision cannot change the past")])
                }
                effectiveOn = date
            }
            switch members.first(where: { $0.0 == "urgent" })?.1 {
            case nil: urgent = false
            case .bool(let flag)?: urgent = flag
            case let other?: throw WritesController.invalid([.init("$.urgent", "expected a boolean, found \(other.typeName)")])
            }
        }

        /// What the store records, decided by `identity` on `today`. Only an admin may mark a decision urgent.
        func request(_ identity: APIIdentity, today: CalendarDate) throws(APIError) -> LimitDecisionRequest {
            if urgent, identity.role < .admin {
                throw APIError(.forbidden, "insufficient_role",
                               "only a key with the admin role may mark a decision urgent; this key has \(identity.role.rawValue)",
                               details: [.init("$.urgent", "needs the admin role")])
            }
            var request = LimitDecisionRequest(value: value, effectiveOn: effectiveOn, today: today, reason: reason, author: identity.author)
            request.previous = previous
            request.urgent = urgent
            return request
        }
    }

    func exponent(_ identity: APIIdentity) async throws -> Int {
        try await decisionStore.baseExponent(identity.tenant)
    }

    static func conflict(_ previous: Int64, current: Int64, exponent: Int) -> APIError {
        APIError(.conflict, "conflict",
                 "the value in force is \(Money.format(current, exponent: exponent)), not \(Money.format(previous, exponent: exponent)): someone changed it; reload and decide again",
                 details: [.init("$.previous", "the value in force is \(Money.format(current, exponent: exponent))")])
    }

    /// Runs a decision, answering the store's refusals as the API does (404, 409, 422).
    func decide(exponent: Int, _ body: () async throws -> LimitDecision) async throws -> LimitDecision {
        do {
            return try await body()
        } catch LimitDecisionError.notFound(let what) {
            throw APIError.notFound(what)
        } catch LimitDecisionError.conflict(let previous, let current) {
            throw Self.conflict(previous, current: current, exponent: exponent)
        } catch LimitDecisionError.noticeRequired(let days, let earliest) {
            let message = "a cut takes effect at least \(days) days after it is decided: on \(earliest) at the earliest, unless an admin marks it urgent"
            throw APIError(.unprocessableContent, "notice_required", message, details: [.init("$.effective_on", message)])
        }
    }

    /// The members of a decision's answer after the subject's: the value before, and the decision as recorded.
    static func recorded(_ made: LimitDecision, identity: APIIdentity, exponent: Int) -> [(String, JSONText)] {
        [
            ("previous", .string(Money.format(made.oldValue ?? 0, exponent: exponent))),
            ("effective_on", made.effectiveOn.map { .string($0.description) } ?? .null), ("urgent", .bool(made.urgent)),
            ("change_ref", made.changeRef.map { .string($0) } ?? .null), ("decision_id", .integer(made.id)),
            ("decided_at", .string(made.decidedAt)), ("decided_by", .string(identity.author)),
        ]
    }

    @Sendable func creditLimit(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .write)
        let ref = try context.pathParameter("debtor_ref")
        let exponent = try await exponent(identity)
        let today = CalendarDate.today()
        let decision = try await Decision(request, context: context, field: "credit_limit", exponent: exponent, today: today)
        let asked = try decision.request(identity, today: today)
        let made = try await decide(exponent: exponent) { try await decisionStore.setCreditLimit(identity.tenant, debtorRef: ref, asked) }
        return .json(.object([
            ("debtor_ref", .string(ref)), ("credit_limit", .string(Money.format(decision.value, exponent: exponent))),
        ] + Self.recorded(made, identity: identity, exponent: exponent)))
    }

    @Sendable func approval(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .write)
        let clientRef = try context.pathParameter("client_ref")
        let debtorRef = try context.pathParameter("debtor_ref")
        let exponent = try await exponent(identity)
        let today = CalendarDate.today()
        let decision = try await Decision(request, context: context, field: "approved", exponent: exponent, today: today)
        let asked = try decision.request(identity, today: today)
        let made = try await decide(exponent: exponent) {
            try await decisionStore.setApproval(identity.tenant, clientRef: clientRef, debtorRef: debtorRef, asked)
        }
        return .json(.object([
            ("client_ref", .string(clientRef)), ("debtor_ref", .string(debtorRef)),
            ("approved", .string(Money.format(decision.value, exponent: exponent))),
        ] + Self.recorded(made, identity: identity, exponent: exponent)))
    }

    @Sendable func decisions(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .admin)
        let limit = try RequestInput.integer(request, "limit", in: 1...1000, default: 100)
        var before = Int64.max
        if let cursor = RequestInput.string(request, "cursor") {
            guard let value = Int64(cursor), value > 0 else { throw APIError.invalidParameter("cursor", "not a cursor of this list") }
            before = value
        }
        let exponent = try await exponent(identity)
        // One more than asked: whether there is a next page.
        let found = try await decisionStore.decisions(identity.tenant, before: before, limit: limit + 1)
        func money(_ value: Int64?) -> JSONText { value.map { .string(Money.format($0, exponent: exponent)) } ?? .null }
        let rows: [JSONText] = found.prefix(limit).map { decision in
            .object([
                ("decision_id", .integer(decision.id)), ("decided_at", .string(decision.decidedAt)),
                ("subject", .string(decision.subject)), ("client_ref", decision.clientRef.map { .string($0) } ?? .null),
                ("debtor_ref", .string(decision.debtorRef)), ("old_value", money(decision.oldValue)),
                ("new_value", money(decision.newValue)), ("decided_by", .string(decision.decidedBy)),
                ("reason", .string(decision.reason)),
                ("effective_on", decision.effectiveOn.map { .string($0.description) } ?? .null), ("urgent", .bool(decision.urgent)),
                ("change_ref", decision.changeRef.map { .string($0) } ?? .null),
            ])
        }
        let next: JSONText = found.count > limit ? .string(String(found[limit - 1].id)) : .null
        return .json(.object([
            ("tenant", .string(identity.tenantRef)), ("decisions", .array(rows)), ("next_cursor", next),
        ]))
    }
}
