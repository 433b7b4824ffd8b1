import FactorRiskCore
import Foundation

/// One import, on one connection, inside one transaction (see `BundleImporter`).
final class ImportSession {
    let connection: PGConnection
    let tenantRef: String
    let maxIssues: Int
    private var issues: [BundleIssue] = []
    private var issueCount = 0
    /// Where the time went, phase by phase.
    private var phases: [(String, Double)] = []
    private var phaseStart = Date()

    private func endPhase(_ name: String) {
        let now = Date()
        phases.append((name, now.timeIntervalSince(phaseStart)))
        phaseStart = now
    }

    init(connection: PGConnection, tenantRef: String, maxIssues: Int) {
        self.connection = connection
        self.tenantRef = tenantRef
        self.maxIssues = maxIssues
    }

    private func report(_ issue: BundleIssue) {
        issueCount += 1
        if issues.count < maxIssues { issues.append(issue) }
    }

    func run(sources: [(BundleFile, String)], policyPath: String?) throws -> BundleImporter.Summary {
        let started = Date()
        guard BundleRowValidator.isTenantRef(tenantRef) else {
            throw BundleImporter.Failure(issues: [BundleIssue(file: "--tenant", message: "\"\(tenantRef)\" is not a tenant reference (letters, digits, . _ -, at most 64)")], total: 1)
        }
        // Staging is temporary tables, which live in per-session buffers: give them room. The
        // setting is refused once a session has used temporary tables; then the default stays.
        _ = try? connection.execute("SET temp_buffers = '256MB'")
        return try connection.transaction { connection in
            // Hash joins and aggregates over a whole file stay in memory.
            try connection.execute("SET LOCAL work_mem = '256MB'")
            phaseStart = Date()
            // 1. The tenant, as the owner (creating a tenant is not a tenant's own act).
            let tenantSource = sources.first { $0.0 == .tenant }
            let tenant = try resolveTenant(tenantFile: tenantSource?.1)
            guard let tenant else { throw failure() }
            // One import per tenant at a time; a second waits for the first to commit.
            let scope = TenantScope(id: tenant.id)
            try scope.lock(.importing, on: connection)
            // The whole import is a bulk write (`PGConnection.tenantBulkTransaction`): it stays the
            // owner that created the tenant, and every statement filters on the tenant's id.
            try connection.execute(scope.bulkPrologue.joined(separator: "; "))

            // 2. Stream every CSV file into its staging table, checking each row on the way.
            var staged: [BundleFile: Int] = [:]
            var keysMayRepeat: Set<BundleFile> = []
            for (file, path) in sources where file != .tenant {
                let (rows, mayRepeat) = try stage(file, path: path, baseExponent: tenant.baseExponent)
                staged[file] = rows
                if mayRepeat { keysMayRepeat.insert(file) }
            }
            endPhase("read, check and stage")
            var policy: PolicyOverrides?
            if let policyPath { policy = checkPolicy(path: policyPath, baseExponent: tenant.baseExponent) }

            // 3. What needs other rows: duplicate keys, then references.
            for file in keysMayRepeat.sorted(by: Self.loadOrderIndex) { try checkDuplicates(file) }
            try checkAcrossFiles(staged: Set(staged.keys), tenantID: tenant.id)
            endPhase("duplicate and reference checks")
            if issueCount > 0 { throw failure() }

            // 4. Merge, in dependency order.
            var counts: [BundleImporter.Summary.FileCounts] = []
            if let tenantCounts = tenant.counts { counts.append(tenantCounts) }
            // Any file may change any live figure: the tenant's live states are dropped, and rebuilt on next use.
            try LiveEngine.invalidate(connection, tenantID: tenant.id)
            // Whether the documents were all new and inserted with the dates of the staged events.
            var documentsCarryEventDates = false
            // Rows inserted or updated, per file.
            var written: [BundleFile: Int] = [:]
            for file in BundleFile.loadOrder where staged[file] != nil {
                let (inserted, updated, allNew) = try StagingTable(file).mergeImported(
                    connection, tenantID: tenant.id, eventsStaged: staged[.documentEvents] != nil,
                    documentsCarryEventDates: documentsCarryEventDates)
                if file == .documents { documentsCarryEventDates = allNew && staged[.documentEvents] != nil }
                counts.append(.init(file: file.fileName, rows: staged[file]!, inserted: inserted, updated: updated))
                written[file] = inserted + updated
                if file == .debtors || (file == .clients && staged[.debtors] == nil) {
                    try analyzeReferencesIfLarge(["clients", "debtors"], rows: (written[.clients] ?? 0) + (written[.debtors] ?? 0))
                }
                if file == .documents && (staged[.collections] != nil || staged[.documentEvents] != nil) {
                    try analyzeReferencesIfLarge(["documents"], rows: written[.documents] ?? 0)
                }
            }
            if let policy {
                let changed = try policy.apply(connection, tenantID: tenant.id)
                counts.append(.init(file: BundleFile.policyFileName, rows: 1, inserted: 0, updated: changed ? 1 : 0))
            }
            endPhase("merge")
            return BundleImporter.Summary(
                tenantRef: tenantRef, tenantID: tenant.id, tenantCreated: tenant.created, files: counts,
                seconds: Date().timeIntervalSince(started), phases: phases)
        }
    }

    /// Refreshes the planner's statistics of `tables` after a large merge into them (`rows` written:
    /// a merge that wrote nothing, as a re-import, left the statistics right).
    ///
    /// The later merges resolve references by joining these tables (clients and debtors, and
    /// documents for collections and events); rows written in this transaction have no
    /// statistics, and with a large new tenant the planner's guesses turned those joins into
    /// nested loops over the index, one per staged row. ANALYZE sees the rows this transaction wrote.
    private func analyzeReferencesIfLarge(_ tables: [String], rows: Int) throws {
        guard rows >= 1000 else { return }
        try connection.execute("ANALYZE \(tables.joined(separator: ", "))")
    }

    /// The failure listing what was found, in load order of the files, then by line.
    private func failure() -> BundleImporter.Failure {
        func rank(_ issue: BundleIssue) -> Int {
            BundleFile.loadOrder.firstIndex { $0.fileName == issue.file } ?? BundleFile.loadOrder.count
        }
        let ordered = issues.enumerated().sorted { a, b in
            (rank(a.element), a.element.line ?? 0, a.offset) < (rank(b.element), b.element.line ?? 0, b.offset)
        }.map(\.element)
        return BundleImporter.Failure(issues: ordered, total: issueCount)
    }

    private static func loadOrderIndex(_ a: BundleFile, _ b: BundleFile) -> Bool {
        BundleFile.loadOrder.firstIndex(of: a)! < BundleFile.loadOrder.firstIndex(of: b)!
    }

    // MARK: Tenant

    private struct Tenant {
        let id: Int64
        let baseExponent: Int
        let created: Bool
        let counts: BundleImporter.Summary.FileCounts?
    }

    /// Creates or updates the tenant from tenant.csv, or finds the existing one. Nil after reporting why not.
    private func resolveTenant(tenantFile: String?) throws -> Tenant? {
        let existing = try connection.query(
            "SELECT tenant_id, base_currency, name, home_country, own_funds FROM tenants WHERE tenant_ref = $1", [tenantRef]
        ).first
        guard let tenantFile else {
            guard let existing else {
                report(BundleIssue(file: BundleFile.tenant.fileName,
                    message: "tenant \"\(tenantRef)\" does not exist yet: the bundle needs a tenant.csv to create it"))
                return nil
            }
            let currency = try existing.decode(String.self, at: 1)
            return Tenant(id: try existing.decode(at: 0), baseExponent: Currency.iso(currency)?.exponent ?? 2, created: false, counts: nil)
        }
        var rows: [(line: Int, fields: [String])] = []
        var header: [String]?
        try readRecords(path: tenantFile, file: .tenant) { line, fields in
            if header == nil { header = fields } else { rows.append((line, fields)) }
        }
        guard let header else {
            report(BundleIssue(file: BundleFile.tenant.fileName, line: 1, message: "the file is empty: it needs a header and one row"))
            return nil
        }
        guard rows.count == 1 else {
            report(BundleIssue(file: BundleFile.tenant.fileName, line: rows.count > 1 ? rows[1].line : nil,
                message: "tenant.csv holds \(rows.count) rows; it must hold exactly one"))
            return nil
        }
        // own_funds is in the base currency named on the same row.
        let currencyPosition = header.firstIndex(of: "base_currency")
        let baseCurrency = currencyPosition.flatMap { $0 < rows[0].fields.count ? rows[0].fields[$0] : nil } ?? ""
        let validator: BundleRowValidator
        do {
            validator = try BundleRowValidator(file: .tenant, header: header, baseExponent: Currency.iso(baseCurrency)?.exponent ?? 2)
        } catch {
            report(error)
            return nil
        }
        guard case .valid(let values) = validator.validate(rows[0].fields, line: rows[0].line) else {
            if case .invalid(let rowIssues) = validator.validate(rows[0].fields, line: rows[0].line) { rowIssues.forEach(report) }
            return nil
        }
        let tenantRow = BundleRecord.Reader(.tenant).record(values)
        guard tenantRow["tenant_ref"] == tenantRef else {
            report(BundleIssue(file: BundleFile.tenant.fileName, line: rows[0].line, column: "tenant_ref",
                message: "\"\(tenantRow["tenant_ref"] ?? "")\" does not match --tenant \(tenantRef)"))
            return nil
        }
        let exponent = Currency.iso(baseCurrency)!.exponent
        if let existing {
            let id: Int64 = try existing.decode(at: 0)
            guard try existing.decode(String.self, at: 1) == baseCurrency else {
                report(BundleIssue(file: BundleFile.tenant.fileName, line: rows[0].line, column: "base_currency",
                    message: "tenant \(tenantRef) keeps its figures in \(try existing.decode(String.self, at: 1)); its base currency cannot change to \(baseCurrency)"))
                return nil
            }
            let changed = try connection.query("""
                UPDATE tenants SET name = $2, home_country = $3, own_funds = $4, updated_at = now()
                WHERE tenant_id = $1 AND (name, home_country, own_funds) IS DISTINCT FROM ($2, $3::char(2), $4::bigint)
                """, [id, tenantRow["name"], tenantRow["home_country"], tenantRow["own_funds"]]).affectedRows
            return Tenant(id: id, baseExponent: exponent, created: false,
                counts: .init(file: BundleFile.tenant.fileName, rows: 1, inserted: 0, updated: changed))
        }
        let id = try connection.query("""
            INSERT INTO tenants (tenant_ref, name, base_currency, home_country, own_funds) VALUES ($1, $2, $3, $4, $5)
            RETURNING tenant_id
            """, [tenantRow["tenant_ref"], tenantRow["name"], tenantRow["base_currency"], tenantRow["home_country"], tenantRow["own_funds"]]).first!.decode(Int64.self, at: 0)
        try connection.query("INSERT INTO policies (tenant_id) VALUES ($1)", [id])
        return Tenant(id: id, baseExponent: exponent, created: true,
            counts: .init(file: BundleFile.tenant.fileName, rows: 1, inserted: 1, updated: 0))
    }

    // MARK: Reading and staging

    /// Streams a file's records (header first) as strings, reporting malformed ones.
    private func readRecords(path: String, file: BundleFile, _ body: (Int, [String]) throws -> Void) throws {
        try readFields(path: path, file: file) { line, fields in try body(line, (0..<fields.count).map(fields.string)) }
    }

    /// Streams a file's records (header first) as lent bytes, reporting malformed ones.
    ///
    /// The reader holds at most one record (its caps bound it); once it stops, at a record past a
    /// cap or a NUL byte, the rest of the file is not read.
    private func readFields(path: String, file: BundleFile, _ body: (Int, CSVReader.Fields) throws -> Void) throws {
        let input: BundleInputFile
        do throws(BundleIssue) {
            input = try BundleInputFile(path: path, name: file.fileName)
        } catch {
            return report(error)
        }
        var reader = CSVReader()
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        let onRecord: (Int, CSVReader.RawRecord) throws -> Void = { line, record in
            switch record {
            case .fields(let fields): try body(line, fields)
            case .malformed(let field, let reason):
                self.report(BundleIssue(file: file.fileName, line: line, column: "field \(field)", message: "malformed CSV: \(reason)"))
            }
        }
        while !reader.isStopped {
            let count: Int
            do throws(BundleIssue) {
                count = try input.read(into: buffer)
            } catch {
                return report(error)
            }
            if count == 0 { break }
            try reader.consumeFields(UnsafeRawBufferPointer(rebasing: buffer[0..<count]), onRecord)
        }
        try reader.finishFields(onRecord)
    }

    /// Creates the file's staging table and COPYs its valid rows into it. Returns the rows staged,
    /// and whether two of them may have the same key (`StagedKeys`; if not, the duplicate check is not run).
    private func stage(_ file: BundleFile, path: String, baseExponent: Int) throws -> (rows: Int, keysMayRepeat: Bool) {
        var validator: BundleRowValidator?
        var headerFailed = false
        var rows = 0
        var keys = StagedKeys()
        let keyColumns = Set(file.key.compactMap(file.index(of:)))
        try StagingTable(file).stage(connection) { writer in
            var line: [UInt8] = []
            line.reserveCapacity(512)
            var values: [BundleRowValidator.Value] = []
            try readFields(path: path, file: file) { number, fields in
                if headerFailed { return }
                guard let validator else {
                    do throws(BundleIssue) {
                        let header = (0..<fields.count).map(fields.string)
                        validator = try BundleRowValidator(file: file, header: header, baseExponent: baseExponent)
                    } catch {
                        report(error)
                        headerFailed = true
                    }
                    return
                }
                let rowIssues = validator.validate(fields, line: number, into: &values)
                guard rowIssues.isEmpty else { return rowIssues.forEach(report) }
                line.removeAll(keepingCapacity: true)
                StagingTable.appendDecimal(Int64(number), to: &line)
                for (index, value) in values.enumerated() {
                    line.append(9)
                    let start = line.count
                    defer { if keyColumns.contains(index) { keys.add(line[start...]) } }
                    switch value {
                    case .asWritten: StagingTable.appendCopyText(validator.field(index, of: fields), to: &line)
                    case .null: StagingTable.appendCopyText(String?.none, to: &line)
                    case .integer(let number): StagingTable.appendDecimal(number, to: &line)
                    case .text(let text): StagingTable.appendCopyText(text, to: &line)
                    }
                }
                keys.endRow()
                line.append(10)
                try writer.write(line)
                rows += 1
            }
        }
        if validator == nil && !headerFailed {
            report(BundleIssue(file: file.fileName, line: 1, message: "the file is empty: it needs a header row"))
        }
        return (rows, keys.mayRepeat)
    }

    // MARK: Checks that need other rows

    private func checkDuplicates(_ file: BundleFile) throws {
        let (listed, total) = try StagingTable(file).duplicates(connection, limit: maxIssues)
        for duplicate in listed {
            report(BundleIssue(file: file.fileName, line: duplicate.line, column: file.key.joined(separator: ","),
                message: "duplicate key \(duplicate.key) (first on line \(duplicate.first))"))
        }
        issueCount += total - listed.count
    }

    /// Approvals, documents and remittances must name clients and debtors that exist, collections
    /// and events documents that exist, in the bundle or already loaded; a collection's amount must
    /// fit its document's currency.
    private func checkAcrossFiles(staged: Set<BundleFile>, tenantID: Int64) throws {
        let (listed, total) = try StagingTable.problems(connection, staged: staged, tenantID: tenantID, limit: maxIssues)
        for problem in listed {
            let message = switch problem.kind {
            case .unknownReference(let value, let parent): "unknown \(problem.column) \"\(value)\" (not in \(parent.fileName) nor loaded before)"
            case .badAmount(let message): message
            }
            report(BundleIssue(file: problem.file.fileName, line: problem.line, column: problem.column, message: message))
        }
        issueCount += total - listed.count
    }

    private func checkPolicy(path: String, baseExponent: Int) -> PolicyOverrides? {
        do {
            return try PolicyOverrides(path: path, baseExponent: baseExponent)
        } catch {
            report(error)
            return nil
        }
    }
}
