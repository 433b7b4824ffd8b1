import FactorRiskCore
import FactorRiskPostgres
import Hummingbird

/// Writes: document batches, and limit decisions with their audit trail.
struct WritesController {
    let pool: PGPool

    /// The most documents one request may carry.
    static let maxDocuments = 10_000

    func register(on group: RouterGroup<APIContext>) {
        group.post("documents", use: documents)
        group.put("debtors/{debtor_ref}/credit-limit", use: creditLimit)
        group.put("approvals/{client_ref}/{debtor_ref}", use: approval)
        group.get("decisions", use: decisions)
    }

    static func invalid(_ details: [APIError.Detail], of total: Int? = nil) -> APIError {
        let count = total ?? details.count
        let first = details.first.map { "\($0.path): \($0.message)" } ?? ""
        return APIError(.unprocessableContent, "validation_failed",
                        count == 1 ? first : "\(count) problems, the first: \(first)", details: Array(details.prefix(100)))
    }

    // MARK: POST /v1/documents

    @Sendable func documents(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .write)
        let members = try await RequestInput.jsonObject(request, context: context, allowed: ["documents"])
        guard let list = members.first(where: { $0.0 == "documents" })?.1 else { throw Self.invalid([.init("$.documents", "is required")]) }
        guard case .array(let items) = list else { throw Self.invalid([.init("$.documents", "expected an array, found \(list.typeName)")]) }
        guard (1...Self.maxDocuments).contains(items.count) else {
            throw Self.invalid([.init("$.documents", "holds \(items.count) documents; send 1 to \(Self.maxDocuments) per request")])
        }
        let baseExponent = try await exponent(identity)
        // The same row checks as the import, field by field, named by JSON path.
        let columns = BundleFile.documents.columns
        let validator = try BundleRowValidator(file: .documents, header: columns, baseExponent: baseExponent)
        var details: [APIError.Detail] = []
        var rows: [[String]] = []
        var firstIndex: [String: Int] = [:]
        for (index, item) in items.enumerated() {
            let path = "$.documents[\(index)]"
            guard case .object(let fields) = item else {
                details.append(.init(path, "expected an object, found \(item.typeName)"))
                continue
            }
            for (name, _) in fields where !columns.contains(name) { details.append(.init("\(path).\(name)", "unknown field")) }
            var raw: [String] = []
            var typed = true
            for column in columns {
                let value = fields.first { $0.0 == column }?.1
                switch (column, value) {
                case ("disputed", nil): raw.append("false")
                case ("disputed", .bool(let flag)?): raw.append(flag ? "true" : "false")
                case ("disputed", let other?):
                    details.append(.init("\(path).disputed", "expected a boolean, found \(other.typeName)"))
                    typed = false
                case (_, .string(let text)?): raw.append(text)
                case (_, nil):
                    details.append(.init("\(path).\(column)", "is required"))
                    typed = false
                case (_, let other?):
                    details.append(.init("\(path).\(column)", "expected a string, found \(other.typeName)"))
                    typed = false
                }
            }
            guard typed else { continue }
            switch validator.validate(raw, line: index) {
            case .valid(let values):
                let normalized = values.map { $0 ?? "" }
                if let earlier = firstIndex[normalized[0]] {
                    details.append(.init("\(path).doc_ref", "\"\(normalized[0])\" is also $.documents[\(earlier)]"))
                } else {
                    firstIndex[normalized[0]] = index
                }
                rows.append(normalized)
            case .invalid(let issues):
                details += issues.map { .init("\(path).\($0.column ?? "")", $0.message) }
            }
        }
        if !details.isEmpty { throw Self.invalid(details) }

        let checked = rows
        let outcome = try await pool.tenantTransaction(identity.tenantID) { connection -> (inserted: Int, updated: Int) in
            try Self.write(connection, tenantID: identity.tenantID, rows: checked)
        }
        return .json(.object([
            ("received", .integer(Int64(rows.count))), ("inserted", .integer(Int64(outcome.inserted))),
            ("updated", .integer(Int64(outcome.updated))), ("unchanged", .integer(Int64(rows.count - outcome.inserted - outcome.updated))),
        ]))
    }

    /// Resolves references, upserts by doc_ref, and records the pairs touched for the live answers.
    static func write(_ connection: PGConnection, tenantID: Int64, rows: [[String]]) throws -> (inserted: Int, updated: Int) {
        func column(_ index: Int) -> [String] { rows.map { $0[index] } }
        let clientRefs = column(1)
        let debtorRefs = column(2)
        var clientIDs: [String: Int64] = [:]
        for row in try connection.query(
            "SELECT client_ref, client_id FROM clients WHERE tenant_id = $1 AND client_ref = ANY ($2::text[])", [tenantID, Array(Set(clientRefs))]
        ).rows { clientIDs[try row.decode(at: 0)] = try row.decode(at: 1) }
        var debtorIDs: [String: Int64] = [:]
        for row in try connection.query(
            "SELECT debtor_ref, debtor_id FROM debtors WHERE tenant_id = $1 AND debtor_ref = ANY ($2::text[])", [tenantID, Array(Set(debtorRefs))]
        ).rows { debtorIDs[try row.decode(at: 0)] = try row.decode(at: 1) }
        var details: [APIError.Detail] = []
        for (index, row) in rows.enumerated() {
            if clientIDs[row[1]] == nil { details.append(.init("$.documents[\(index)].client_ref", "unknown client \"\(row[1])\"")) }
            if debtorIDs[row[2]] == nil { details.append(.init("$.documents[\(index)].debtor_ref", "unknown debtor \"\(row[2])\"")) }
        }
        if !details.isEmpty { throw invalid(details) }

        let result = try connection.query("""
            WITH input AS (
                SELECT * FROM unnest($2::text[], $3::bigint[], $4::bigint[], $5::text[], $6::text[], $7::bigint[], $8::bigint[],
                                     $9::date[], $10::date[], $11::boolean[])
                    AS i (doc_ref, client_id, debtor_id, kind, currency, amount, open_amount, issue_date, due_date, disputed)
            ),
            before AS (
                SELECT d.doc_ref, d.client_id, d.debtor_id FROM documents d JOIN input i ON i.doc_ref = d.doc_ref WHERE d.tenant_id = $1
            ),
            written AS (
                INSERT INTO documents AS d (tenant_id, doc_ref, client_id, debtor_id, kind, currency, amount, open_amount,
                                            issue_date, due_date, disputed)
                SELECT $1, doc_ref, client_id, debtor_id, kind, currency, amount, open_amount, issue_date, due_date, disputed FROM input
                ON CONFLICT (tenant_id, doc_ref) DO UPDATE SET
                    client_id = EXCLUDED.client_id, debtor_id = EXCLUDED.debtor_id, kind = EXCLUDED.kind, currency = EXCLUDED.currency,
                    amount = EXCLUDED.amount, open_amount = EXCLUDED.open_amount, issue_date = EXCLUDED.issue_date,
                    due_date = EXCLUDED.due_date, disputed = EXCLUDED.disputed
                WHERE (d.client_id, d.debtor_id, d.kind, d.currency, d.amount, d.open_amount, d.issue_date, d.due_date, d.disputed)
                      IS DISTINCT FROM (EXCLUDED.client_id, EXCLUDED.debtor_id, EXCLUDED.kind, EXCLUDED.currency, EXCLUDED.amount,
                                        EXCLUDED.open_amount, EXCLUDED.issue_date, EXCLUDED.due_date, EXCLUDED.disputed)
                RETURNING d.doc_ref, d.client_id, d.debtor_id, (xmax = 0) AS inserted
            )
            SELECT w.client_id, w.debtor_id, w.inserted, b.client_id, b.debtor_id FROM written w LEFT JOIN before b ON b.doc_ref = w.doc_ref
            """, [tenantID, column(0), PGBigintArray(clientRefs.map { clientIDs[$0]! }), PGBigintArray(debtorRefs.map { debtorIDs[$0]! }),
                  column(3), column(4), PGBigintArray(column(5).map { Int64($0)! }), PGBigintArray(column(6).map { Int64($0)! }),
                  column(7), column(8), column(9)])
        var inserted = 0
        var pairs = Set<[Int64]>()
        for row in result.rows {
            if try row.decode(Bool.self, at: 2) { inserted += 1 }
            pairs.insert([try row.decode(at: 0), try row.decode(at: 1)])
            if let client = try row.decode(Int64?.self, at: 3), let debtor = try row.decode(Int64?.self, at: 4) { pairs.insert([client, debtor]) }
        }
        try LiveEngine.recordChanges(connection, tenantID: tenantID, pairs: pairs.map { (client: $0[0], debtor: $0[1]) })
        return (inserted, result.rowCount - inserted)
    }

    // MARK: Limit decisions

    /// A decision's body: the new value, why, and optionally the value the caller believes current.
    struct Decision {
        var value: Int64
        var reason: String
        var previous: Int64?

        init(_ request: Request, context: APIContext, field: String, exponent: Int) async throws {
            let members = try await RequestInput.jsonObject(request, context: context, allowed: [field, "reason", "previous"])
            let raw = try RequestInput.string(members, field, path: "$.\(field)", required: true)!
            value = try RequestInput.money(raw, exponent: exponent, path: "$.\(field)")
            guard value >= 0 else { throw WritesController.invalid([.init("$.\(field)", "may not be negative")]) }
            reason = try RequestInput.string(members, "reason", path: "$.reason", required: true)!
            guard !reason.allSatisfy(\.isWhitespace) else { throw WritesController.invalid([.init("$.reason", "may not be empty")]) }
            previous = try RequestInput.string(members, "previous", path: "$.previous", required: false).map { raw throws(APIError) in
                try RequestInput.money(raw, exponent: exponent, path: "$.previous")
            }
        }
    }

    static let decisionColumns = "decision_id, to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"')"

    func exponent(_ identity: APIIdentity) async throws -> Int {
        try await pool.tenantTransaction(identity.tenantID) {
            try TenantSettings.load($0, tenantID: identity.tenantID)?.tenant.baseCurrency.exponent ?? 2
        }
    }

    static func conflict(_ previous: Int64, current: Int64, exponent: Int) -> APIError {
        APIError(.conflict, "conflict",
                 "the current value is \(Money.format(current, exponent: exponent)), not \(Money.format(previous, exponent: exponent)): someone changed it; reload and decide again",
                 details: [.init("$.previous", "the current value is \(Money.format(current, exponent: exponent))")])
    }

    @Sendable func creditLimit(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .write)
        let ref = try context.pathParameter("debtor_ref")
        let exponent = try await exponent(identity)
        let decision = try await Decision(request, context: context, field: "credit_limit", exponent: exponent)
        let (old, id, at) = try await pool.tenantTransaction(identity.tenantID) { connection -> (Int64, Int64, String) in
            guard let current = try connection.query(
                "SELECT credit_limit FROM debtors WHERE tenant_id = $1 AND debtor_ref = $2 FOR UPDATE", [identity.tenantID, ref]
            ).first?.decode(Int64.self, at: 0) else { throw APIError.notFound("debtor \"\(ref)\"") }
            if let previous = decision.previous, previous != current { throw Self.conflict(previous, current: current, exponent: exponent) }
            try connection.query("UPDATE debtors SET credit_limit = $3, updated_at = now() WHERE tenant_id = $1 AND debtor_ref = $2",
                                 [identity.tenantID, ref, decision.value])
            let row = try connection.query("""
                INSERT INTO limit_decisions (tenant_id, subject, debtor_ref, old_value, new_value, decided_by, reason)
                VALUES ($1, 'credit_limit', $2, $3, $4, $5, $6) RETURNING \(Self.decisionColumns)
                """, [identity.tenantID, ref, current, decision.value, identity.author, decision.reason]).first!
            return (current, try row.decode(at: 0), try row.decode(at: 1))
        }
        func money(_ value: Int64) -> JSONText { .string(Money.format(value, exponent: exponent)) }
        return .json(.object([
            ("debtor_ref", .string(ref)), ("credit_limit", money(decision.value)), ("previous", money(old)),
            ("decision_id", .integer(id)), ("decided_at", .string(at)), ("decided_by", .string(identity.author)),
        ]))
    }

    @Sendable func approval(_ request: Request, context: APIContext) async throws -> Response {
        let identity = try context.caller(atLeast: .write)
        let clientRef = try context.pathParameter("client_ref")
        let debtorRef = try context.pathParameter("debtor_ref")
        let exponent = try await exponent(identity)
        let decision = try await Decision(request, context: context, field: "approved", exponent: exponent)
        let (old, id, at) = try await pool.tenantTransaction(identity.tenantID) { connection -> (Int64, Int64, String) in
            let tenant = identity.tenantID
            guard let client = try connection.query("SELECT client_id FROM clients WHERE tenant_id = $1 AND client_ref = $2", [tenant, clientRef])
                .first?.decode(Int64.self, at: 0) else { throw APIError.notFound("client \"\(clientRef)\"") }
            guard let debtor = try connection.query("SELECT debtor_id FROM debtors WHERE tenant_id = $1 AND debtor_ref = $2", [tenant, debtorRef])
                .first?.decode(Int64.self, at: 0) else { throw APIError.notFound("debtor \"\(debtorRef)\"") }
            let current = try connection.query(
                "SELECT approved FROM approvals WHERE tenant_id = $1 AND client_id = $2 AND debtor_id = $3 FOR UPDATE", [tenant, client, debtor]
            ).first?.decode(Int64.self, at: 0)
            if let previous = decision.previous, previous != (current ?? 0) {
                throw Self.conflict(previous, current: current ?? 0, exponent: exponent)
            }
            try connection.query("""
                INSERT INTO approvals (tenant_id, client_id, debtor_id, approved) VALUES ($1, $2, $3, $4)
                ON CONFLICT (tenant_id, client_id, debtor_id) DO UPDATE SET approved = EXCLUDED.approved, updated_at = now()
                """, [tenant, client, debtor, decision.value])
            let row = try connection.query("""
                INSERT INTO limit_decisions (tenant_id, subject, client_ref, debtor_ref, old_value, new_value, decided_by, reason)
                VALUES ($1, 'approval', $2, $3, $4, $5, $6, $7) RETURNING \(Self.decisionColumns)
                """, [tenant, clientRef, debtorRef, current, decision.value, identity.author, decision.reason]).first!
            try LiveEngine.recordChanges(connection, tenantID: tenant, pairs: [(client: client, debtor: debtor)])
            return (current ?? 0, try row.decode(at: 0), try row.decode(at: 1))
        }
        func money(_ value: Int64) -> JSONText { .string(Money.format(value, exponent: exponent)) }
        return .json(.object([
            ("client_ref", .string(clientRef)), ("debtor_ref", .string(debtorRef)), ("approved", money(decision.value)),
            ("previous", money(old)), ("decision_id", .integer(id)), ("decided_at", .string(at)), ("decided_by", .string(identity.author)),
        ]))
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
        let below = before
        let rows = try await pool.tenantTransaction(identity.tenantID) { connection -> [JSONText] in
            try connection.query("""
                SELECT \(Self.decisionColumns), subject, client_ref, debtor_ref, old_value, new_value, decided_by, reason
                FROM limit_decisions WHERE tenant_id = $1 AND decision_id < $2 ORDER BY decision_id DESC LIMIT \(limit + 1)
                """, [identity.tenantID, below]).rows.map { row in
                func money(_ value: Int64?) -> JSONText { value.map { .string(Money.format($0, exponent: exponent)) } ?? .null }
                return .object([
                    ("decision_id", .integer(try row.decode(Int64.self, at: 0))), ("decided_at", .string(try row.decode(at: 1))),
                    ("subject", .string(try row.decode(at: 2))), ("client_ref", (try row.decode(String?.self, at: 3)).map { .string($0) } ?? .null),
                    ("debtor_ref", .string(try row.decode(at: 4))), ("old_value", money(try row.decode(at: 5))),
                    ("new_value", money(try row.decode(at: 6))), ("decided_by", .string(try row.decode(at: 7))),
                    ("reason", .string(try row.decode(at: 8))),
                ])
            }
        }
        var next: JSONText = .null
        if rows.count > limit, case .object(let members) = rows[limit - 1], case .integer(let id)? = members.first?.1 { next = .string(String(id)) }
        return .json(.object([
            ("tenant", .string(identity.tenantRef)), ("decisions", .array(Array(rows.prefix(limit)))), ("next_cursor", next),
        ]))
    }
}
