import FactorRiskCore

/// Live answers: the rulebook's row for one debtor or one client as of a date, on the data as it is
/// now, equal to the cent to what a recalculation as of that date would store for that row.
///
/// They read the live aggregates of migration 0003 (see `LiveSQL`), brought up to date first:
/// built whole on the first request for a (tenant, date), then moved pair by pair as writers
/// record what they changed. The sums come from SQL; the figures and flags built on them come
/// from `LevelRules`, the same Swift as the reference engine, so every live answer is also a
/// check of the production engine's SQL.
public enum LiveEngine {
    /// A debtor's live row and its pairs.
    public struct DebtorExposure: Sendable {
        public var debtor: RiskReport.DebtorRow
        public var pairs: [RiskReport.PairRow]
        public var group: RiskReport.GroupRow
        public var country: RiskReport.CountryRow
        /// The debtor's own group_ref (nil when it has none and is a group of its own).
        public var declaredGroupRef: String?
    }

    /// What every live request reads first (`LiveSQL.settingsAndStatus`): the tenant's settings,
    /// whether the state of the date exists and whether writers left changes for it, and the
    /// dates a live answer may be asked for.
    struct Status {
        var settings: TenantSettings
        var exists: Bool
        var changed: Bool
        var range: LiveDateRange

        init(_ row: PGRow, tenantID: Int64) throws {
            settings = try TenantSettings.decode(row, tenantID: tenantID)
            exists = try row.decode(Bool.self, at: TenantSettings.columnCount)
            changed = try row.decode(Bool.self, at: TenantSettings.columnCount + 1)
            range = LiveDateRange(
                earliestSnapshot: try row.decode(CalendarDate?.self, at: TenantSettings.columnCount + 2), today: CalendarDate.today())
        }
    }

    /// What `prepare` does when the state of the date does not exist.
    public enum Missing: Sendable {
        /// Builds it, in the caller's transaction.
        case build
        /// Throws `LiveStateMissing`, so that the caller builds it once for every request that
        /// waits for it (`LiveBuilds`), under its budget of builds.
        case fail
    }

    /// Reads the tenant's settings and brings the live state of (`tenantID`, `date`) up to date:
    /// builds it when missing (or throws `LiveStateMissing`, as `ifMissing` says), applies the
    /// changes writers recorded, and marks it used. With `checkRange` a date outside
    /// `LiveDateRange` throws `LiveDateOutOfRange` before anything is built. Nil when the tenant
    /// is not visible. Runs in the caller's transaction; in one round trip when nothing is to do. A
    /// state is built only in a bulk transaction (`build`); readers pass `.fail`.
    @discardableResult
    public static func prepare(
        _ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate, ifMissing: Missing = .build, checkRange: Bool = false
    ) throws -> TenantSettings? {
        guard let row = try connection.query(LiveSQL.settingsAndStatus, [tenantID, date]).first else { return nil }
        let status = try Status(row, tenantID: tenantID)
        if checkRange { try status.range.check(date) }
        if !status.exists {
            guard ifMissing == .build else { throw LiveStateMissing() }
            try build(connection, tenantID: tenantID, asOf: date)
        } else {
            if status.changed { try refresh(connection, tenantID: tenantID, asOf: date) }
            try connection.query(LiveSQL.touch, [tenantID, date])
        }
        return status.settings
    }

    /// Builds the state whole, under the tenant's exclusive live lock (a writer in flight finishes
    /// first). A bulk write: call it in a `tenantBulkTransaction` (the owner's, who may ANALYZE).
    static func build(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws {
        let parameters: [(any PGBindable)?] = [tenantID, date]
        try TenantScope(id: tenantID).lock(.live, on: connection)
        // Another request may have built it while this one waited for the lock.
        if try connection.query(LiveSQL.status, parameters).first?.decode(Bool.self, at: 0) == true { return }
        for table in LiveSQL.tables {
            try connection.query("DELETE FROM \(table) WHERE tenant_id = $1 AND as_of = $2", parameters)
        }
        // CREATE TABLE AS takes no bind parameters: both are rendered from typed values.
        func rendered(_ statement: String) -> String {
            statement.replacingOccurrences(of: "$1", with: String(tenantID)).replacingOccurrences(of: "$2", with: "'\(date)'::date")
        }
        try connection.execute(rendered(LiveSQL.buildPairs))
        try connection.execute("ANALYZE live_build")
        try connection.query(LiveSQL.storePairs, parameters)
        try connection.execute(rendered(LiveSQL.buildDebtors))
        try connection.execute("ANALYZE live_build_debtors")
        for statement in LiveSQL.storeLevels { try connection.query(statement, parameters) }
        try connection.execute("DROP TABLE live_build, live_build_debtors")
        // Fresh statistics for the rows just written, so the first reads get the plans later ones get.
        try connection.execute("ANALYZE live_pairs, live_debtors, live_groups, live_countries, live_states")
        // Beyond the states kept, the least recently used go.
        for row in try connection.query(LiveSQL.evicted, [tenantID, Int64(LiveSQL.keptStates)]).rows {
            let old: CalendarDate = try row.decode(at: 0)
            for table in LiveSQL.tables {
                try connection.query("DELETE FROM \(table) WHERE tenant_id = $1 AND as_of = $2", [tenantID, old])
            }
        }
    }

    /// Recomputes the pairs writers listed and moves the sums above them by the difference
    /// (`LiveSQL.movePairs`: one statement, no temporary table).
    static func refresh(_ connection: PGConnection, tenantID: Int64, asOf date: CalendarDate) throws {
        let parameters: [(any PGBindable)?] = [tenantID, date]
        // One refresher at a time per state; a second one finds the list empty once the first commits.
        guard try connection.query(LiveSQL.lockState, parameters).rowCount == 1 else { return }
        let changed = try connection.query(LiveSQL.takeChanges, parameters).rows
        guard !changed.isEmpty else { return }
        let clients = PGBigintArray(try changed.map { try $0.decode(Int64.self, at: 0) })
        let debtors = PGBigintArray(try changed.map { try $0.decode(Int64.self, at: 1) })
        try connection.query(LiveSQL.movePairs, [tenantID, date, clients, debtors])
    }

    /// Records that writers changed the documents or approvals of these (client_id, debtor_id)
    /// pairs, and moves every live state of the tenant by them at once. Call it in the writer's
    /// transaction: the states move when the write commits, so readers find them current and never
    /// wait for a refresh (a reader that had to refresh held the state's row lock, and every other
    /// reader of the tenant queued behind it while documents kept arriving). The states are locked
    /// in date order, so concurrent writers lock them in the same order; changes another writer
    /// left in `live_changes` are applied with these.
    ///
    /// `writes`, the writer's own statements, go first in the same pipeline, so that a short write
    /// costs three round trips here whatever the number of states: the writes with the live lock,
    /// the states and the changes left; the states' moves; returns the writes' results.
    @discardableResult
    public static func recordChanges(
        _ connection: PGConnection, tenantID: Int64, pairs: [(client: Int64, debtor: Int64)], after writes: [PGConnection.PipelineStep] = []
    ) throws -> [PGResult] {
        guard !pairs.isEmpty else { return writes.isEmpty ? [] : try connection.pipeline(writes) }
        let results = try connection.pipeline(writes + [
            TenantScope(id: tenantID).lockStep(.live, .shared),
            .statement(LiveSQL.lockStates, [tenantID]),
            .statement(LiveSQL.takeAllChanges, [tenantID]),
        ])
        let states = results[writes.count + 1].rows
        guard !states.isEmpty else { return Array(results.prefix(writes.count)) }
        var left: [CalendarDate: [[Int64]]] = [:]
        for row in results[writes.count + 2].rows {
            left[try row.decode(at: 0), default: []].append([try row.decode(at: 1), try row.decode(at: 2)])
        }
        let own = pairs.map { [$0.client, $0.debtor] }
        // A pair named twice would be recomputed twice in one upsert, which PostgreSQL refuses.
        let moves: [PGConnection.PipelineStep] = try states.map { row in
            let date: CalendarDate = try row.decode(at: 0)
            let all = Array(Set(own + (left[date] ?? [])))
            return .prepared(LiveSQL.movePairs, [tenantID, date, PGBigintArray(all.map { $0[0] }), PGBigintArray(all.map { $0[1] })])
        }
        // Planned once per connection: a custom plan for each write took 3 ms, three times the run
        // (PostgreSQL keeps planning anew when the generic plan is not estimated cheaper). Not under
        // Citus, which finds the tenant's shard from the parameters and cannot plan this statement
        // without them.
        let generic: [PGConnection.PipelineStep] = connection.isDistributed ? [] : [.statement("SET LOCAL plan_cache_mode = force_generic_plan")]
        _ = try connection.pipeline(generic + moves)
        return Array(results.prefix(writes.count))
    }

    /// Drops every live state of the tenant (after a bulk import, which may change anything);
    /// the next live request builds anew. Call it in the importer's transaction.
    public static func invalidate(_ connection: PGConnection, tenantID: Int64) throws {
        try TenantScope(id: tenantID).lock(.live, .shared, on: connection)
        for table in LiveSQL.tables {
            try connection.query("DELETE FROM \(table) WHERE tenant_id = $1", [tenantID])
        }
    }

    /// A debtor's live row, group, country and pairs; nil when the tenant has no such debtor.
    /// Call `prepare` first, in the same transaction.
    public static func debtorExposure(
        _ connection: PGConnection, settings: TenantSettings, asOf date: CalendarDate, debtorRef: String
    ) throws -> DebtorExposure? {
        try exposure(from: connection.query(LiveSQL.debtorExposure, [settings.tenantID, date, debtorRef]).rows, settings: settings, asOf: date)
    }

    /// A debtor's live row, group, country and pairs, in one round trip when the live state is
    /// current: the transaction, the settings with the state's status, the debtor with its pairs,
    /// the mark that the state was used and the commit go to the server together, from the
    /// caller's thread (`PGPool.pipeline`). When the state must be moved first, it is, and the
    /// debtor is read again; when it must be built, `LiveStateMissing` is thrown, for the caller to
    /// build it in a bulk transaction (`LiveBuilds`). The date is checked against `LiveDateRange`
    /// first (`LiveDateOutOfRange`). Nil settings: the tenant is not visible.
    public static func readDebtor(
        _ pool: PGPool, tenantID: Int64, asOf date: CalendarDate, debtorRef: String
    ) async throws -> (TenantSettings?, DebtorExposure?) {
        let prologue = TenantScope(id: tenantID).prologue
        let results = try await pool.pipeline(
            [.statement("BEGIN")] + prologue.map { .statement($0) } + [
                .prepared(LiveSQL.settingsAndStatus, [tenantID, date]),
                .prepared(LiveSQL.debtorExposure, [tenantID, date, debtorRef]),
                .prepared(LiveSQL.touch, [tenantID, date]),
                .statement("COMMIT"),
            ])
        let answers = results.dropFirst(1 + prologue.count)
        guard let row = answers.first?.first else { return (nil, nil) }
        let status = try Status(row, tenantID: tenantID)
        try status.range.check(date)
        if status.exists && !status.changed {
            return (status.settings, try exposure(from: answers.dropFirst().first!.rows, settings: status.settings, asOf: date))
        }
        return try await pool.tenantTransaction(tenantID) { connection in
            guard let settings = try prepare(connection, tenantID: tenantID, asOf: date, ifMissing: .fail, checkRange: true) else {
                return (nil, nil)
            }
            return (settings, try debtorExposure(connection, settings: settings, asOf: date, debtorRef: debtorRef))
        }
    }

    /// The exposure from the rows of `LiveSQL.debtorExposure`; nil when there are none.
    static func exposure(from rows: [PGRow], settings: TenantSettings, asOf date: CalendarDate) throws -> DebtorExposure? {
        guard let row = rows.first else { return nil }
        let declaredGroup: String? = try row.decode("group_ref")
        let ref: String = try row.decode("debtor_ref")
        var debtor = RiskReport.DebtorRow(
            debtorRef: ref, country: try row.decode("country"), groupRef: declaredGroup ?? ref, creditLimit: try row.decode("credit_limit"))
        debtor.gross = try row.decode("gross")
        debtor.eligible = try row.decode("eligible")
        debtor.guaranteed = try row.decode("guaranteed")
        debtor.covered = try row.decode("covered")
        debtor.riskWeighted = try row.decode("risk_weighted")
        debtor.clients = try row.decode("clients")
        debtor.approvedTotal = try row.decode("approved_total")
        debtor.pastDueDays = try row.decode("past_due_days")
        debtor.pendingLimit = try row.decode("pending_limit")
        debtor.pendingOn = try row.decode("pending_on")
        LevelRules.debtorLimit(&debtor)
        var insurance: Portfolio.Insurance?
        if let insurer: String = try row.decode("insurer") {
            insurance = Portfolio.Insurance(
                debtorRef: ref, insurer: insurer, insuredLimit: try row.decode("insured_limit"), coverBP: try row.decode("insurance_cover_bp"),
                validFrom: try row.decode("insurance_valid_from"), validTo: try row.decode("insurance_valid_to"))
        }
        LevelRules.insurance(&debtor, insurance, asOf: date)

        var group = RiskReport.GroupRow(groupRef: debtor.groupRef)
        group.debtors = try row.decode("group_debtors")
        group.guaranteed = try row.decode("group_guaranteed")
        group.covered = try row.decode("group_covered")
        group.netLoss = try row.decode("group_net_loss")
        LevelRules.group(&group, ownFunds: settings.tenant.ownFunds, policy: settings.policy)

        let risk = settings.risk(
            grade: try row.decode("grade"), embargoed: try row.decode("embargoed"), explicitLimit: try row.decode("explicit_limit"))
        var country = RiskReport.CountryRow(country: debtor.country, grade: risk.grade, embargoed: risk.embargoed)
        country.debtors = try row.decode("country_debtors")
        country.gross = try row.decode("country_gross")
        country.guaranteed = try row.decode("country_guaranteed")
        country.covered = try row.decode("country_covered")
        LevelRules.country(&country, risk: risk, total: try row.decode("tenant_guaranteed"), policy: settings.policy)

        LevelRules.debtor(&debtor, group: group, country: country, insurance: insurance, asOf: date, policy: settings.policy)
        return DebtorExposure(
            debtor: debtor, pairs: try pairs(in: rows), group: group, country: country, declaredGroupRef: declaredGroup)
    }

    /// A client's live row with its funding waterfall and §8 figures; nil when the tenant has no
    /// such client. Its pairs come from the live state; its dilution window, cash, ledger patterns
    /// and days past due from one query over its own documents, collections and remittances
    /// (`EngineSQL.clientActivity`, the recalculation's SQL for one client). Call `prepare` first,
    /// in the same transaction.
    public static func clientAvailability(
        _ connection: PGConnection, settings: TenantSettings, asOf date: CalendarDate, clientRef: String
    ) throws -> RiskReport.ClientRow? {
        let rows = try connection.query(LiveSQL.clientPairs, [settings.tenantID, date, clientRef]).rows
        guard let row = rows.first else { return nil }
        let client = try Self.client(row)
        let clientID: Int64 = try row.decode("client_id")
        return LevelRules.client(
            client, pairs: try pairs(in: rows), activity: try activity(connection, settings: settings, asOf: date, clientID: clientID),
            policy: settings.policy, baseExponent: settings.tenant.baseCurrency.exponent)
    }

    /// What §8 measures of one client besides its pairs, as of `date`, on the data as it is now.
    static func activity(_ connection: PGConnection, settings: TenantSettings, asOf date: CalendarDate, clientID: Int64) throws -> ClientActivity {
        guard let row = try connection.query(LiveSQL.clientActivity, [settings.tenantID, date, clientID]).first else { return ClientActivity() }
        // The columns of `EngineSQL.clientActivity`, by the name each figure has there.
        let sums: [(String, WritableKeyPath<ClientActivity, Int64>)] = [
            ("invoiced_window", \.invoicedWindow), ("credited_window", \.creditedWindow), ("collected", \.collected),
            ("collected_due", \.collectedDue), ("remitted", \.remitted),
        ]
        let counts: [(String, WritableKeyPath<ClientActivity, Int>)] = [
            ("duplicate_suspects", \.duplicateSuspects), ("round_invoices", \.roundInvoices),
            ("round_amount_invoices", \.roundAmountInvoices),
        ]
        let days: [(String, WritableKeyPath<ClientActivity, Int64?>)] = [("unremitted_days", \.unremittedDays), ("past_due_days", \.pastDueDays)]
        var activity = ClientActivity()
        for (column, path) in sums { activity[keyPath: path] = try row.decode(column) }
        for (column, path) in counts { activity[keyPath: path] = try row.decode(column) }
        for (column, path) in days { activity[keyPath: path] = try row.decode(column) }
        return activity
    }

    /// A client's attributes by reference.
    public static func client(_ connection: PGConnection, tenantID: Int64, clientRef: String) throws -> Portfolio.Client? {
        guard let row = try connection.query(
            "SELECT client_id, client_ref, country, mode, annual_revenue, financial_grade, holdback_bp, funding_limit, funded_balance, group_ref FROM clients WHERE tenant_id = $1 AND client_ref = $2",
            [tenantID, clientRef]).first
        else { return nil }
        return try client(row)
    }

    /// A client from a row holding the columns of `LiveSQL.clientPairs` (by name).
    static func client(_ row: PGRow) throws -> Portfolio.Client {
        let mode: String = try row.decode("mode")
        guard let clientMode = ClientMode(rawValue: mode) else { throw PGError(.decoding, message: "unknown client mode \(mode)") }
        return Portfolio.Client(
            ref: try row.decode("client_ref"), country: try row.decode("country"), mode: clientMode,
            annualRevenue: try row.decode("annual_revenue"), financialGrade: try row.decode("financial_grade"),
            holdbackBP: try row.decode("holdback_bp"), fundingLimit: try row.decode("funding_limit"),
            fundedBalance: try row.decode("funded_balance"), groupRef: try row.decode("group_ref"))
    }

    /// The pairs of a one-row-per-pair result whose last columns are `LiveSQL.pairSelectList`
    /// (null when the subject has no pair).
    static func pairs(in rows: [PGRow]) throws -> [RiskReport.PairRow] {
        guard let first = rows.first else { return [] }
        let offset = first.result.columnCount - RiskReport.PairRow.columns.count
        // The live row's columns (after the two refs) are null when there is no pair.
        let figure = offset + RiskReport.PairRow.columns.firstIndex { !$0.info.isKey }!
        return try rows.compactMap { row in
            first.result.isNull(row: row.index, column: figure) ? nil : try RiskReport.PairRow.decode(row, from: offset)
        }
    }
}

/// The live state of the date asked does not exist, and the caller asked to build it itself
/// (`LiveEngine.Missing.fail`).
public struct LiveStateMissing: Error, Sendable {}
