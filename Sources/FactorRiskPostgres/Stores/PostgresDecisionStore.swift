/// The decision store on PostgreSQL: the current value is locked (`FOR UPDATE`) before it is
/// compared with the caller's `previous`, so two decisions on one limit cannot both pass the check.
public struct PostgresDecisionStore: DecisionStore {
    /// The pool decisions are made through, each in a tenant transaction.
    public let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    /// The columns `decision(_:)` reads, from `limit_decisions`.
    private static let columns = """
        decision_id, to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), subject, client_ref, debtor_ref,
        old_value, new_value, decided_by, reason
        """

    private static func decision(_ row: PGRow) throws -> LimitDecision {
        LimitDecision(
            id: try row.decode(at: 0), decidedAt: try row.decode(at: 1), subject: try row.decode(at: 2), clientRef: try row.decode(at: 3),
            debtorRef: try row.decode(at: 4), oldValue: try row.decode(at: 5), newValue: try row.decode(at: 6),
            decidedBy: try row.decode(at: 7), reason: try row.decode(at: 8))
    }

    public func baseExponent(_ tenant: TenantScope) async throws -> Int {
        try await TenantSettings.baseExponent(pool, tenantID: tenant.id)
    }

    public func setCreditLimit(_ tenant: TenantScope, debtorRef: String, to value: Int64, previous: Int64?,
                               reason: String, author: String) async throws -> LimitDecision {
        try await pool.tenantTransaction(tenant.id) { connection in
            guard let current = try connection.query(
                "SELECT credit_limit FROM debtors WHERE tenant_id = $1 AND debtor_ref = $2 FOR UPDATE", [tenant.id, debtorRef]
            ).first?.decode(Int64.self, at: 0) else { throw LimitDecisionError.notFound("debtor \"\(debtorRef)\"") }
            if let previous, previous != current { throw LimitDecisionError.conflict(previous: previous, current: current) }
            try connection.query("UPDATE debtors SET credit_limit = $3, updated_at = now() WHERE tenant_id = $1 AND debtor_ref = $2",
                                 [tenant.id, debtorRef, value])
            return try Self.decision(try connection.query("""
                WITH \(TenantScope.nextID(.limitDecision))
                INSERT INTO limit_decisions (tenant_id, decision_id, subject, debtor_ref, old_value, new_value, decided_by, reason)
                SELECT $1, id, 'credit_limit', $2, $3, $4, $5, $6 FROM next_id RETURNING \(Self.columns)
                """, [tenant.id, debtorRef, current, value, author, reason]).first!)
        }
    }

    public func setApproval(_ tenant: TenantScope, clientRef: String, debtorRef: String, to value: Int64, previous: Int64?,
                            reason: String, author: String) async throws -> LimitDecision {
        try await pool.tenantTransaction(tenant.id) { connection in
            guard let client = try connection.query(
                "SELECT client_id FROM clients WHERE tenant_id = $1 AND client_ref = $2", [tenant.id, clientRef]
            ).first?.decode(Int64.self, at: 0) else { throw LimitDecisionError.notFound("client \"\(clientRef)\"") }
            guard let debtor = try connection.query(
                "SELECT debtor_id FROM debtors WHERE tenant_id = $1 AND debtor_ref = $2", [tenant.id, debtorRef]
            ).first?.decode(Int64.self, at: 0) else { throw LimitDecisionError.notFound("debtor \"\(debtorRef)\"") }
            let current = try connection.query(
                "SELECT approved FROM approvals WHERE tenant_id = $1 AND client_id = $2 AND debtor_id = $3 FOR UPDATE", [tenant.id, client, debtor]
            ).first?.decode(Int64.self, at: 0)
            if let previous, previous != (current ?? 0) { throw LimitDecisionError.conflict(previous: previous, current: current ?? 0) }
            try connection.query("""
                INSERT INTO approvals (tenant_id, client_id, debtor_id, approved) VALUES ($1, $2, $3, $4)
                ON CONFLICT (tenant_id, client_id, debtor_id) DO UPDATE SET approved = EXCLUDED.approved, updated_at = now()
                """, [tenant.id, client, debtor, value])
            let decision = try Self.decision(try connection.query("""
                WITH \(TenantScope.nextID(.limitDecision))
                INSERT INTO limit_decisions (tenant_id, decision_id, subject, client_ref, debtor_ref, old_value, new_value, decided_by, reason)
                SELECT $1, id, 'approval', $2, $3, $4, $5, $6, $7 FROM next_id RETURNING \(Self.columns)
                """, [tenant.id, clientRef, debtorRef, current, value, author, reason]).first!)
            try LiveEngine.recordChanges(connection, tenantID: tenant.id, pairs: [(client: client, debtor: debtor)])
            return decision
        }
    }

    public func decisions(_ tenant: TenantScope, before: Int64, limit: Int) async throws -> [LimitDecision] {
        try await pool.tenantTransaction(tenant.id) { connection in
            try connection.query("""
                SELECT \(Self.columns)
                FROM limit_decisions WHERE tenant_id = $1 AND decision_id < $2 ORDER BY decision_id DESC LIMIT \(limit)
                """, [tenant.id, before]).rows.map(Self.decision)
        }
    }
}
