import FactorRiskCore

extension PostgresDecisionStore {
    /// One statement for the whole answer: a row for the debtor (with the tenant's currency), one per
    /// approvals row and one per change, told apart by `kind`; no row at all for an unknown debtor.
    static let limitsQuery = """
        WITH d AS (SELECT debtor_id, credit_limit FROM debtors WHERE tenant_id = $1 AND debtor_ref = $2)
        SELECT 'debtor' AS kind, NULL::text AS client_ref, d.credit_limit AS value, t.base_currency AS currency,
               NULL::text AS change_ref, NULL::date AS announced_on, NULL::date AS effective_on
        FROM d JOIN tenants t ON t.tenant_id = $1
        UNION ALL
        SELECT 'approval', c.client_ref, a.approved, NULL, NULL, NULL, NULL
        FROM d JOIN approvals a ON a.tenant_id = $1 AND a.debtor_id = d.debtor_id
        JOIN clients c ON c.tenant_id = $1 AND c.client_id = a.client_id
        UNION ALL
        SELECT 'change', c.client_ref, l.new_limit, NULL, l.change_ref, l.announced_on, l.effective_on
        FROM d JOIN limit_changes l ON l.tenant_id = $1 AND l.debtor_id = d.debtor_id
        LEFT JOIN clients c ON c.tenant_id = $1 AND c.client_id = l.client_id
        """

    /// The tenant's transaction and the query in one pipeline: one round trip, as the live answers.
    public func limits(_ tenant: TenantScope, debtorRef: String) async throws -> DebtorLimits? {
        let prologue = tenant.prologue
        let results = try await pool.pipeline(
            [.statement("BEGIN")] + prologue.map { .statement($0) } + [.statement(Self.limitsQuery, [tenant.id, debtorRef]), .statement("COMMIT")])
        return try Self.debtorLimits(debtorRef, results[1 + prologue.count].rows)
    }

    /// The rows of `limitsQuery` gathered by limit, each limit's changes in the order of §9.1.
    static func debtorLimits(_ debtorRef: String, _ rows: [PGRow]) throws -> DebtorLimits? {
        var currency: Currency?
        var files: [String: Int64] = [:]
        var creditLimit = DebtorLimits.Subject(clientRef: nil, file: nil, changes: [])
        var changes: [String: [Portfolio.LimitChange]] = [:]
        for row in rows {
            let clientRef: String? = try row.decode(at: 1)
            let value: Int64 = try row.decode(at: 2)
            switch try row.decode(String.self, at: 0) {
            case "debtor":
                let code: String = try row.decode(at: 3)
                guard let known = Currency.iso(code) else { throw PGError(.decoding, message: "unknown base currency \(code)") }
                currency = known
                creditLimit.file = value
            case "approval":
                if let clientRef { files[clientRef] = value }
            default:
                let change = Portfolio.LimitChange(ref: try row.decode(at: 4), debtorRef: debtorRef, clientRef: clientRef, newLimit: value,
                                                   announcedOn: try row.decode(at: 5), effectiveOn: try row.decode(at: 6))
                if let clientRef { changes[clientRef, default: []].append(change) } else { creditLimit.changes.append(change) }
            }
        }
        guard let currency else { return nil }
        creditLimit.changes.sort(by: LimitHistory.isEarlier)
        let pairs = Set(files.keys).union(changes.keys).sorted(by: byteOrder)
        return DebtorLimits(currency: currency, debtorRef: debtorRef, creditLimit: creditLimit, approvals: pairs.map { client in
            DebtorLimits.Subject(clientRef: client, file: files[client], changes: (changes[client] ?? []).sorted(by: LimitHistory.isEarlier))
        })
    }
}
