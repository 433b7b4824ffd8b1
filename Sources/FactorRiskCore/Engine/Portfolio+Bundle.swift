extension Portfolio {
    /// Builds the in-memory portfolio of a bundle (FORMATS.md), from its files' bytes.
    ///
    /// Rows go through the same parser and row checks as an import; the first problem is thrown.
    /// `policy` is the bundle's policy.json, applied to the rulebook's defaults as an import applies it.
    public init(bundle files: [BundleFile: [UInt8]], policy: [UInt8]? = nil) throws(BundleIssue) {
        func rows(_ file: BundleFile, baseExponent: Int) throws(BundleIssue) -> [BundleRecord] {
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
            let recordReader = BundleRecord.Reader(file)
            var values: [BundleRecord] = []
            for (line, fields) in records.dropFirst() {
                switch validator.validate(fields, line: line) {
                case .valid(let row): values.append(recordReader.record(row))
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
        self.init(tenant: Tenant(ref: tenantRow["tenant_ref"]!, baseCurrency: base, homeCountry: tenantRow["home_country"]!,
                                 ownFunds: money(tenantRow["own_funds"])))
        let exponent = base.exponent
        if let policy { try PolicyOverrides(bytes: policy, baseExponent: exponent).apply(to: &self.policy) }
        for row in try rows(.countries, baseExponent: exponent) {
            countries[row["country"]!] = Country(grade: Int(row["grade"]!)!, embargoed: row["embargoed"] == "true",
                                                 limit: row["limit"].flatMap { Int64($0) })
        }
        clients = try rows(.clients, baseExponent: exponent).map { row in
            Client(ref: row["client_ref"]!, country: row["country"]!, mode: ClientMode(rawValue: row["mode"]!)!,
                   annualRevenue: money(row["annual_revenue"]), financialGrade: Int(row["financial_grade"]!)!,
                   holdbackBP: Int64(row["holdback_bp"]!)!, fundingLimit: money(row["funding_limit"]),
                   fundedBalance: money(row["funded_balance"]), groupRef: row["group_ref"])
        }
        debtors = try rows(.debtors, baseExponent: exponent).map { row in
            Debtor(ref: row["debtor_ref"]!, country: row["country"]!, groupRef: row["group_ref"], creditLimit: money(row["credit_limit"]))
        }
        for row in try rows(.approvals, baseExponent: exponent) {
            approvals[Pair(row["client_ref"]!, row["debtor_ref"]!)] = money(row["approved"])
        }
        for row in try rows(.fxRates, baseExponent: exponent) {
            fxRates[row["currency"]!, default: [:]][CalendarDate(iso: row["as_of"]!)!] = DecimalRate(parsing: row["rate"]!)!
        }
        documents = try rows(.documents, baseExponent: exponent).map { row in
            Document(ref: row["doc_ref"]!, clientRef: row["client_ref"]!, debtorRef: row["debtor_ref"]!,
                     kind: row["kind"] == "credit_note" ? .creditNote : .invoice, currency: Currency.iso(row["currency"]!)!,
                     amount: money(row["amount"]), openAmount: money(row["open_amount"]), issueDate: CalendarDate(iso: row["issue_date"]!)!,
                     dueDate: CalendarDate(iso: row["due_date"]!)!, disputed: row["disputed"] == "true")
        }
        // A collection's amount is in its document's currency, which the row check cannot know.
        let currencies = Dictionary(documents.map { ($0.ref, $0.currency) }, uniquingKeysWith: { a, _ in a })
        collections = try rows(.collections, baseExponent: exponent).map { row throws(BundleIssue) in
            let text = row["amount"]!
            guard let currency = currencies[row["doc_ref"]!], let amount = try? Money.parse(text, exponent: currency.exponent) else {
                throw BundleIssue(file: BundleFile.collections.fileName, column: "amount",
                                  message: "\"\(text)\" is not an amount of the currency of document \(row["doc_ref"]!)")
            }
            return Collection(ref: row["collection_ref"]!, docRef: row["doc_ref"]!, collectedOn: CalendarDate(iso: row["collected_on"]!)!,
                              amount: amount)
        }
        remittances = try rows(.remittances, baseExponent: exponent).map { row in
            Remittance(ref: row["remittance_ref"]!, clientRef: row["client_ref"]!, receivedOn: CalendarDate(iso: row["received_on"]!)!,
                       currency: Currency.iso(row["currency"]!)!, amount: money(row["amount"]))
        }
        for row in try rows(.documentEvents, baseExponent: exponent) {
            events[row["doc_ref"]!, default: [:]][Event(rawValue: row["event"]!)!] = CalendarDate(iso: row["event_date"]!)!
        }
        limitChanges = try rows(.limitChanges, baseExponent: exponent).map { row in
            LimitChange(ref: row["change_ref"]!, debtorRef: row["debtor_ref"]!, clientRef: row["client_ref"], newLimit: money(row["new_limit"]),
                        announcedOn: CalendarDate(iso: row["announced_on"]!)!, effectiveOn: CalendarDate(iso: row["effective_on"]!)!)
        }
        for row in try rows(.insurance, baseExponent: exponent) {
            insurance[row["debtor_ref"]!] = Insurance(
                debtorRef: row["debtor_ref"]!, insurer: row["insurer"]!, insuredLimit: money(row["insured_limit"]),
                coverBP: Int64(row["cover_bp"]!)!, validFrom: CalendarDate(iso: row["valid_from"]!)!,
                validTo: row["valid_to"].flatMap { CalendarDate(iso: $0) })
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
