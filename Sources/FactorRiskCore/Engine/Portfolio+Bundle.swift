extension Portfolio {
    /// Builds the in-memory portfolio of a bundle (FORMATS.md), from its files' bytes.
    ///
    /// Rows go through the same parser and row checks as an import; the first problem is thrown.
    /// The policy is the default one (policy.json is applied by the importer, not here).
    public init(bundle files: [BundleFile: [UInt8]]) throws(BundleIssue) {
        func rows(_ file: BundleFile, baseExponent: Int) throws(BundleIssue) -> [[String?]] {
            guard let bytes = files[file] else { return [] }
            var records: [(Int, [String])] = []
            var malformed: BundleIssue?
            var reader = CSVReader()
            let collect: (Int, CSVReader.Record) -> Void = { line, record in
                switch record {
                case .fields(let fields): records.append((line, fields))
                case .malformed(let field, let reason):
                    if malformed == nil {
                        malformed = BundleIssue(file: file.fileName, line: line, column: "field \(field)", message: "malformed CSV: \(reason)")
                    }
                }
            }
            bytes.withUnsafeBytes { reader.consume($0, collect) }
            reader.finish(collect)
            if let malformed { throw malformed }
            guard let header = records.first else { return [] }
            let validator = try BundleRowValidator(file: file, header: header.1, baseExponent: baseExponent)
            var values: [[String?]] = []
            for (line, fields) in records.dropFirst() {
                switch validator.validate(fields, line: line) {
                case .valid(let row): values.append(row)
                case .invalid(let issues): throw issues[0]
                }
            }
            return values
        }
        func money(_ text: String?) -> Int64 { text.flatMap { Int64($0) } ?? 0 }

        // tenant.csv's own_funds is in the base currency it names.
        guard let tenantBytes = files[.tenant], let base = Self.baseCurrency(in: tenantBytes) else {
            throw BundleIssue(file: BundleFile.tenant.fileName, message: "the bundle needs a tenant.csv with a known base_currency")
        }
        guard let tenantRow = try rows(.tenant, baseExponent: base.exponent).first else {
            throw BundleIssue(file: BundleFile.tenant.fileName, message: "holds no tenant row")
        }
        self.init(tenant: Tenant(ref: tenantRow[0]!, baseCurrency: base, homeCountry: tenantRow[3]!, ownFunds: money(tenantRow[4])))
        let exponent = base.exponent
        for row in try rows(.countries, baseExponent: exponent) {
            countries[row[0]!] = Country(grade: Int(row[1]!)!, embargoed: row[2] == "true", limit: row[3].flatMap { Int64($0) })
        }
        clients = try rows(.clients, baseExponent: exponent).map { row in
            Client(ref: row[0]!, country: row[2]!, mode: ClientMode(rawValue: row[3]!)!, annualRevenue: money(row[4]),
                   financialGrade: Int(row[5]!)!, holdbackBP: Int64(row[6]!)!, fundingLimit: money(row[7]),
                   fundedBalance: money(row[8]), groupRef: row[9])
        }
        debtors = try rows(.debtors, baseExponent: exponent).map { row in
            Debtor(ref: row[0]!, country: row[2]!, groupRef: row[3], creditLimit: money(row[4]))
        }
        for row in try rows(.approvals, baseExponent: exponent) {
            approvals[Pair(row[0]!, row[1]!)] = money(row[2])
        }
        for row in try rows(.fxRates, baseExponent: exponent) {
            fxRates[row[0]!, default: [:]][CalendarDate(iso: row[1]!)!] = DecimalRate(parsing: row[2]!)!
        }
        documents = try rows(.documents, baseExponent: exponent).map { row in
            Document(ref: row[0]!, clientRef: row[1]!, debtorRef: row[2]!, kind: row[3] == "credit_note" ? .creditNote : .invoice,
                     currency: Currency.iso(row[4]!)!, amount: money(row[5]), openAmount: money(row[6]),
                     issueDate: CalendarDate(iso: row[7]!)!, dueDate: CalendarDate(iso: row[8]!)!, disputed: row[9] == "true")
        }
    }

    /// The base_currency named in tenant.csv's first row.
    private static func baseCurrency(in bytes: [UInt8]) -> Currency? {
        var records: [[String]] = []
        var reader = CSVReader()
        let collect: (Int, CSVReader.Record) -> Void = { _, record in
            if case .fields(let fields) = record { records.append(fields) }
        }
        bytes.withUnsafeBytes { reader.consume($0, collect) }
        reader.finish(collect)
        guard records.count >= 2, let column = records[0].firstIndex(of: "base_currency"), column < records[1].count else { return nil }
        return Currency.iso(records[1][column])
    }
}
