import FactorRiskCore

/// One nightly recalculation of one tenant: the lock, the engine, and what changed.
public struct Recalculation: Sendable {
    /// A breach flag on one subject (RULEBOOK.md §6: a failure of the portfolio to meet its limits).
    public struct Breach: Sendable, Hashable, Comparable {
        public let level: String
        public let subject: String
        public let code: String

        public static func < (a: Breach, b: Breach) -> Bool {
            (a.code, a.level, a.subject) < (b.code, b.level, b.subject)
        }
    }

    /// What a run found.
    public struct Outcome: Sendable {
        public let tenantRef: String
        public let asOf: CalendarDate
        public let breaches: [Breach]
        /// The date of the snapshot compared with (the latest one before `asOf`), if any.
        public let previousAsOf: CalendarDate?
        public let newBreaches: [Breach]
        public let clearedBreaches: [Breach]
        public let seconds: Double
    }

    /// Why a run did not happen.
    public struct Refusal: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    /// The advisory lock key of a tenant's recalculation (held until the transaction ends).
    static func lockKey(_ tenantID: Int64) -> Int64 { Int64(0x5245_4341) << 32 | tenantID }

    /// Recalculates `tenantRef` as of `date` in one transaction, under the tenant's advisory lock.
    ///
    /// With `wait` false a run already holding the lock makes this one refuse at once; with `wait`
    /// true it waits for it. A failure or a cancellation rolls back: the previous snapshot stays whole.
    @discardableResult
    public static func run(pool: PGPool, tenantRef: String, asOf date: CalendarDate, wait: Bool) async throws -> Outcome {
        let started = ContinuousClock.now
        guard let tenantID = try await pool.withConnection({ connection in
            try connection.query("SELECT tenant_id FROM tenants WHERE tenant_ref = $1", [tenantRef]).first?.decode(Int64.self, at: 0)
        }) else {
            throw Refusal(description: "no tenant \"\(tenantRef)\"")
        }
        let (breaches, previous, previousBreaches) = try await pool.tenantTransaction(tenantID) { connection in
            let key = lockKey(tenantID)
            if wait {
                try connection.query("SELECT pg_advisory_xact_lock($1)", [key])
            } else {
                let locked = try connection.query("SELECT pg_try_advisory_xact_lock($1)", [key]).first?.decode(Bool.self, at: 0) ?? false
                guard locked else {
                    throw Refusal(description: "tenant \(tenantRef): another recalculation is running (--wait waits for it)")
                }
            }
            try ProductionEngine.recalculate(connection, tenantID: tenantID, asOf: date)
            let previous = try connection.query(
                "SELECT max(as_of) FROM snapshots WHERE tenant_id = $1 AND as_of < $2", [tenantID, date]
            ).first?.decode(CalendarDate?.self, at: 0)
            let previousBreaches = try previous.map { try breachList(connection, tenantID: tenantID, asOf: $0) } ?? []
            return (try breachList(connection, tenantID: tenantID, asOf: date), previous, previousBreaches)
        }
        let now = Set(breaches)
        let before = Set(previousBreaches)
        let elapsed = ContinuousClock.now - started
        return Outcome(
            tenantRef: tenantRef, asOf: date, breaches: breaches, previousAsOf: previous,
            newBreaches: previous == nil ? [] : now.subtracting(before).sorted(),
            clearedBreaches: before.subtracting(now).sorted(),
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }

    /// Every breach flag of a stored snapshot.
    static func breachList(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws -> [Breach] {
        let codes = RiskFlag.allCases.filter { $0.level == .breach }.map(\.rawValue)
        return try connection.query("""
            SELECT level, subject, code FROM (
                SELECT 'client' AS level, client_ref AS subject, unnest(flags) AS code FROM snapshot_clients WHERE tenant_id = $1 AND as_of = $2
                UNION ALL SELECT 'debtor', debtor_ref, unnest(flags) FROM snapshot_debtors WHERE tenant_id = $1 AND as_of = $2
                UNION ALL SELECT 'group', group_ref, unnest(flags) FROM snapshot_groups WHERE tenant_id = $1 AND as_of = $2
                UNION ALL SELECT 'country', country, unnest(flags) FROM snapshot_countries WHERE tenant_id = $1 AND as_of = $2
            ) f WHERE code = ANY ($3::text[])
            ORDER BY code, level, subject COLLATE "C"
            """, [tenantID, date, codes]).rows.map {
            Breach(level: try $0.decode(at: 0), subject: try $0.decode(at: 1), code: try $0.decode(at: 2))
        }
    }
}
