import FactorRiskCore

/// The decision store on PostgreSQL: the subject of a decision (the debtor, or the client and the
/// debtor) is locked (`FOR UPDATE`) before its value in force is read and compared with the
/// caller's `previous`, so two decisions on one limit cannot both pass the check.
public struct PostgresDecisionStore: DecisionStore {
    /// The pool decisions are made through, each in a tenant transaction.
    public let pool: PGPool

    public init(pool: PGPool) { self.pool = pool }

    /// The columns `decision(_:)` reads, from `limit_decisions`.
    private static let columns = """
        decision_id, to_char(decided_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'), subject, client_ref, debtor_ref,
        old_value, new_value, decided_by, reason, effective_on, urgent, change_ref
        """

    private static func decision(_ row: PGRow) throws -> LimitDecision {
        LimitDecision(
            id: try row.decode(at: 0), decidedAt: try row.decode(at: 1), subject: try row.decode(at: 2), clientRef: try row.decode(at: 3),
            debtorRef: try row.decode(at: 4), oldValue: try row.decode(at: 5), newValue: try row.decode(at: 6),
            decidedBy: try row.decode(at: 7), reason: try row.decode(at: 8), effectiveOn: try row.decode(at: 9),
            urgent: try row.decode(at: 10), changeRef: try row.decode(at: 11))
    }

    public func baseExponent(_ tenant: TenantScope) async throws -> Int {
        try await TenantSettings.baseExponent(pool, tenantID: tenant.id)
    }

    public func setCreditLimit(_ tenant: TenantScope, debtorRef: String, _ request: LimitDecisionRequest) async throws -> LimitDecision {
        try await pool.tenantTransaction(tenant.id) { connection in
            guard let row = try connection.query(
                "SELECT debtor_id, credit_limit FROM debtors WHERE tenant_id = $1 AND debtor_ref = $2 FOR UPDATE", [tenant.id, debtorRef]
            ).first else { throw LimitDecisionError.notFound("debtor \"\(debtorRef)\"") }
            return try Self.decide(connection, tenantID: tenant.id, clientID: nil, clientRef: nil, debtorID: try row.decode(at: 0),
                                   debtorRef: debtorRef, file: try row.decode(at: 1), request)
        }
    }

    public func setApproval(_ tenant: TenantScope, clientRef: String, debtorRef: String,
                            _ request: LimitDecisionRequest) async throws -> LimitDecision {
        try await pool.tenantTransaction(tenant.id) { connection in
            guard let client = try connection.query(
                "SELECT client_id FROM clients WHERE tenant_id = $1 AND client_ref = $2 FOR UPDATE", [tenant.id, clientRef]
            ).first?.decode(Int64.self, at: 0) else { throw LimitDecisionError.notFound("client \"\(clientRef)\"") }
            guard let debtor = try connection.query(
                "SELECT debtor_id FROM debtors WHERE tenant_id = $1 AND debtor_ref = $2 FOR UPDATE", [tenant.id, debtorRef]
            ).first?.decode(Int64.self, at: 0) else { throw LimitDecisionError.notFound("debtor \"\(debtorRef)\"") }
            let file = try connection.query(
                "SELECT approved FROM approvals WHERE tenant_id = $1 AND client_id = $2 AND debtor_id = $3", [tenant.id, client, debtor]
            ).first?.decode(Int64.self, at: 0)
            let decision = try Self.decide(connection, tenantID: tenant.id, clientID: client, clientRef: clientRef, debtorID: debtor,
                                           debtorRef: debtorRef, file: file, request)
            try LiveEngine.recordChanges(connection, tenantID: tenant.id, pairs: [(client: client, debtor: debtor)])
            return decision
        }
    }

    /// Records a decision on one locked limit: the credit limit of `debtorID` (no client) or the
    /// approval of the pair, whose value in the files is `file` (nil: no approvals row).
    ///
    /// The value before is the one in force on the decision's date (§9.1 over the limit's changes,
    /// else `file`): what `previous` is checked against, what a cut is measured from, and what the
    /// audit keeps as the old value.
    private static func decide(
        _ connection: PGConnection, tenantID: Int64, clientID: Int64?, clientRef: String?, debtorID: Int64, debtorRef: String,
        file: Int64?, _ request: LimitDecisionRequest
    ) throws -> LimitDecision {
        let changes = try connection.query("""
            SELECT change_ref, new_limit, announced_on, effective_on FROM limit_changes
            WHERE tenant_id = $1 AND debtor_id = $2 AND client_id IS NOT DISTINCT FROM $3::bigint
            """, [tenantID, debtorID, clientID]).rows.map { row in
            Portfolio.LimitChange(ref: try row.decode(at: 0), debtorRef: debtorRef, clientRef: clientRef, newLimit: try row.decode(at: 1),
                                  announcedOn: try row.decode(at: 2), effectiveOn: try row.decode(at: 3))
        }
        let before = LimitHistory.inForce(changes, on: request.effectiveOn)?.newLimit ?? file
        let current = before ?? 0
        if let previous = request.previous, previous != current { throw LimitDecisionError.conflict(previous: previous, current: current) }
        let notice = try TenantSettings.load(connection, tenantID: tenantID)?.policy.limitNoticeDays ?? Policy().limitNoticeDays
        if request.value < current, !request.urgent, request.effectiveOn - request.today < notice {
            throw LimitDecisionError.noticeRequired(days: notice, earliest: request.today.adding(days: notice))
        }
        // The change's ref from the decision's number, zero-padded, so that of two decisions with
        // the same dates the later wins §9.1's tie on change_ref.
        let id = try TenantScope(id: tenantID).nextID(.limitDecision, on: connection)
        let number = String(id)
        let changeRef = "api-" + String(repeating: "0", count: max(0, 12 - number.count)) + number
        // Each row by parameters, and the decision's time given, not computed in the INSERT: Citus
        // routes such a write to the tenant's shard under row-level security, and refuses a
        // function that is not immutable in RETURNING.
        let decidedAt = try connection.query(Self.transactionTime).first!.decode(String.self, at: 0)
        try connection.query("""
            INSERT INTO limit_changes (tenant_id, change_ref, debtor_id, client_id, new_limit, announced_on, effective_on)
            VALUES ($1, $2, $3, $4, $5, $6, $7)
            """, [tenantID, changeRef, debtorID, clientID, request.value, request.today, request.effectiveOn])
        let subject = clientID == nil ? "credit_limit" : "approval"
        try connection.query("""
            INSERT INTO limit_decisions (tenant_id, decision_id, subject, client_ref, debtor_ref, old_value, new_value, decided_by, reason,
                                         effective_on, urgent, change_ref, decided_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)
            """, [tenantID, id, subject, clientRef, debtorRef, before, request.value, request.author, request.reason,
                  request.effectiveOn, request.urgent, changeRef, decidedAt])
        return LimitDecision(
            id: id, decidedAt: decidedAt, subject: subject, clientRef: clientRef, debtorRef: debtorRef, oldValue: before,
            newValue: request.value, decidedBy: request.author, reason: request.reason, effectiveOn: request.effectiveOn,
            urgent: request.urgent, changeRef: changeRef)
    }

    /// The transaction's time as `decision(_:)` reads `decided_at` back, to the microsecond in UTC.
    private static let transactionTime = """
        SELECT to_char(now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
        """

    public func decisions(_ tenant: TenantScope, before: Int64, limit: Int) async throws -> [LimitDecision] {
        try await pool.tenantTransaction(tenant.id) { connection in
            try connection.query("""
                SELECT \(Self.columns)
                FROM limit_decisions WHERE tenant_id = $1 AND decision_id < $2 ORDER BY decision_id DESC LIMIT \(limit)
                """, [tenant.id, before]).rows.map(Self.decision)
        }
    }
}
