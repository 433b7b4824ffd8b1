import FactorRiskCore
@testable import FactorRiskSynthetic
import Testing

/// A `BundleSink` that keeps every row in memory as fields, and checks the begin/row/end protocol as it goes.
struct RecordingBundleSink: BundleSink, Sendable {
    /// The files in the order they were begun.
    private(set) var order: [BundleFile] = []
    /// The rows of each file, in the order they came.
    private(set) var rows: [BundleFile: [[String]]] = [:]
    private var current: BundleFile?

    mutating func begin(_ file: BundleFile) throws {
        #expect(current == nil, "\(file.fileName) begun inside another file")
        current = file
        order.append(file)
        rows[file] = []
    }

    mutating func row(_ fields: [String]) throws {
        guard let current else {
            Issue.record("a row outside any file")
            return
        }
        rows[current, default: []].append(fields)
    }

    mutating func end(_ file: BundleFile) throws {
        #expect(current == file, "\(file.fileName) ended but \(current?.fileName ?? "nothing") was open")
        current = nil
    }

    /// The rows of `file` as dictionaries by column name, for readable checks.
    func records(_ file: BundleFile) -> [[String: String]] {
        let columns = file.header
        return (rows[file] ?? []).map { fields in
            var record: [String: String] = [:]
            for (column, value) in zip(columns, fields) { record[column] = value }
            return record
        }
    }
}

@Suite("Synthetic portfolio")
struct SyntheticPortfolioTests {
    static let asOf = CalendarDate(year: 2026, month: 11, day: 20)!
    static let parameters = SyntheticPortfolio.Parameters(tenantRef: "acme", documents: 20_000, seed: 42, asOf: asOf)

    fileprivate static func generate(_ parameters: SyntheticPortfolio.Parameters) throws -> RecordingBundleSink {
        var sink = RecordingBundleSink()
        try SyntheticPortfolio(parameters).generate(into: &sink)
        return sink
    }

    /// One 20,000-document bundle, drawn once and shared by the tests that only read it.
    fileprivate static let bundle: RecordingBundleSink = {
        do {
            return try generate(parameters)
        } catch {
            preconditionFailure("an in-memory sink does not throw: \(error)")
        }
    }()

    private var bundle: RecordingBundleSink { Self.bundle }

    /// FNV-1a over the file names and CSV lines of a bundle, in order: one number that changes
    /// when any byte of the output does.
    fileprivate static func fnv1a(_ bundle: RecordingBundleSink) -> UInt64 {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for file in bundle.order {
            for line in [file.fileName + "\n"] + (bundle.rows[file] ?? []).map(CSVEncoding.line) {
                for byte in line.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
            }
        }
        return hash
    }

    private func share(_ part: Int, of whole: Int) -> Double {
        Double(part) / Double(max(1, whole))
    }

    @Test("the same parameters give identical rows; another seed gives other rows")
    func determinism() throws {
        let again = try Self.generate(Self.parameters)
        for file in BundleFile.allCases {
            #expect(again.rows[file] == bundle.rows[file], "\(file.fileName) differs between two runs")
        }
        var other = Self.parameters
        other.seed = 43
        let different = try Self.generate(other)
        #expect(different.rows[.documents] != bundle.rows[.documents])
        #expect(different.rows[.clients] != bundle.rows[.clients])
    }

    /// Pins the output, so a change in the generator (or in the money and date formatting it uses)
    /// that would silently change every benchmark bundle shows up here. Debug, release and every
    /// platform must agree; when the generator is changed on purpose, update these values.
    @Test("a seed gives these exact rows, in debug and release, on every platform")
    func golden() {
        #expect(bundle.rows[.tenant]?.first == ["acme", "Acme Factoring", "EUR", "FR", "6600000.00"])
        #expect(bundle.rows[.clients]?.first == [
            "C000001", "Michel Sécurité SARL", "FR", "notified", "6839000.00", "4", "1250", "430000.00", "174978.27", "",
        ])
        #expect(bundle.rows[.debtors]?.dropFirst().first == [
            "D0000002", "Nicolas-Durand Froid Industriel SA", "BE", "G00015", "60000.00",
        ])
        #expect(bundle.rows[.fxRates]?.prefix(2).map { $0 } == [["USD", "2026-10-22", "0.9213"], ["USD", "2026-10-23", "0.9224"]])
        #expect(bundle.rows[.documents]?.first == [
            "I0000000001", "C000023", "D0001195", "invoice", "EUR", "11968.52", "11968.52", "2026-10-26", "2026-12-10", "false",
        ])
        #expect(Self.fnv1a(bundle) == 0xF4A7_A7CF_8456_D4A7)
    }

    @Test("every file comes once, in load order, with rows as wide as its header")
    func filesAndColumns() {
        #expect(bundle.order == BundleFile.loadOrder)
        for file in BundleFile.loadOrder {
            let rows = bundle.rows[file] ?? []
            #expect(!rows.isEmpty, "\(file.fileName) is empty")
            #expect(rows.allSatisfy { $0.count == file.columns.count }, "\(file.fileName) has a row of the wrong width")
        }
    }

    @Test("exactly the requested number of documents, and the sizes the parameters give")
    func counts() {
        let portfolio = SyntheticPortfolio(Self.parameters)
        #expect(bundle.rows[.documents]?.count == 20_000)
        #expect(portfolio.clientCount == 66) // 20,000 / 300
        #expect(portfolio.debtorCount == 20 * 66)
        #expect(bundle.rows[.clients]?.count == portfolio.clientCount)
        #expect(bundle.rows[.debtors]?.count == portfolio.debtorCount)
        #expect(bundle.rows[.tenant]?.count == 1)
    }

    @Test("no file has two rows with the same key")
    func uniqueKeys() {
        for file in BundleFile.loadOrder {
            let positions = file.key.compactMap { file.header.firstIndex(of: $0) }
            var seen = Set<[String]>()
            for row in bundle.rows[file] ?? [] {
                let key = positions.map { row[$0] }
                #expect(seen.insert(key).inserted, "duplicate key \(key) in \(file.fileName)")
            }
        }
    }

    @Test("every reference points at a row of the file it names")
    func references() {
        let clients = Set(bundle.records(.clients).compactMap { $0["client_ref"] })
        let debtors = Set(bundle.records(.debtors).compactMap { $0["debtor_ref"] })
        let debtorGroups = Set(bundle.records(.debtors).compactMap { $0["group_ref"] }.filter { !$0.isEmpty })
        for document in bundle.records(.documents) {
            #expect(clients.contains(document["client_ref"] ?? ""), "unknown client in \(document)")
            #expect(debtors.contains(document["debtor_ref"] ?? ""), "unknown debtor in \(document)")
        }
        for approval in bundle.records(.approvals) {
            #expect(clients.contains(approval["client_ref"] ?? ""))
            #expect(debtors.contains(approval["debtor_ref"] ?? ""))
        }
        let clientGroups = bundle.records(.clients).compactMap { $0["group_ref"] }.filter { !$0.isEmpty }
        #expect(!clientGroups.isEmpty, "no affiliate client")
        #expect(clientGroups.allSatisfy(debtorGroups.contains), "a client group names no debtor group")
        let documents = Set(bundle.records(.documents).compactMap { $0["doc_ref"] })
        #expect(bundle.records(.collections).allSatisfy { documents.contains($0["doc_ref"] ?? "") })
        #expect(bundle.records(.documentEvents).allSatisfy { documents.contains($0["doc_ref"] ?? "") })
        #expect(bundle.records(.remittances).allSatisfy { clients.contains($0["client_ref"] ?? "") })
        let allRefs = [clients, debtors, debtorGroups].flatMap { $0 } + bundle.records(.documents).compactMap { $0["doc_ref"] }
        #expect(allRefs.allSatisfy { !$0.isEmpty && $0.utf8.count <= 64 })
    }

    @Test("every field is in the format FORMATS.md fixes")
    func formats() throws {
        let eur = 2
        let tenant = try #require(bundle.records(.tenant).first)
        #expect(tenant["tenant_ref"] == "acme")
        #expect(tenant["name"] == "Acme Factoring")
        #expect(tenant["base_currency"] == "EUR")
        #expect(tenant["home_country"] == "FR")
        #expect(try Money.parse(tenant["own_funds"] ?? "", exponent: eur) > 0)

        for country in bundle.records(.countries) {
            #expect(country["country"]?.utf8.count == 2)
            #expect(Int(country["grade"] ?? "").map { (0...7).contains($0) } == true)
            #expect(country["embargoed"] == "true" || country["embargoed"] == "false")
            if let limit = country["limit"], !limit.isEmpty {
                #expect(try Money.parse(limit, exponent: eur) > 0)
            }
        }
        for client in bundle.records(.clients) {
            #expect(["notified", "delegated", "confidential"].contains(client["mode"] ?? ""))
            #expect(Int(client["financial_grade"] ?? "").map { (1...10).contains($0) } == true)
            #expect(Int(client["holdback_bp"] ?? "").map { (500...1_500).contains($0) } == true)
            for column in ["annual_revenue", "funding_limit", "funded_balance"] {
                #expect(try Money.parse(client[column] ?? "", exponent: eur) >= 0)
            }
            #expect((client["name"] ?? "").isEmpty == false)
        }
        for debtor in bundle.records(.debtors) {
            #expect(try Money.parse(debtor["credit_limit"] ?? "", exponent: eur) > 0)
        }
        for approval in bundle.records(.approvals) {
            #expect(try Money.parse(approval["approved"] ?? "", exponent: eur) > 0)
        }
        for rate in bundle.records(.fxRates) {
            #expect(Currency.iso(rate["currency"] ?? "") != nil)
            #expect(CalendarDate(iso: rate["as_of"] ?? "") != nil)
            let parsed = try #require(DecimalRate(parsing: rate["rate"] ?? ""))
            #expect(parsed.isPositive && (4...6).contains(parsed.scale))
        }
    }

    @Test("documents: amounts in their currency's digits, 0 ≤ open ≤ amount, issue ≤ due, issue ≤ as-of")
    func documentRules() throws {
        for document in bundle.records(.documents) {
            let currency = try #require(Currency.iso(document["currency"] ?? ""))
            let amount = try Money.parse(document["amount"] ?? "", exponent: currency.exponent)
            let open = try Money.parse(document["open_amount"] ?? "", exponent: currency.exponent)
            #expect(amount >= 1 && open >= 0 && open <= amount, "\(document)")
            let issued = try #require(CalendarDate(iso: document["issue_date"] ?? ""))
            let due = try #require(CalendarDate(iso: document["due_date"] ?? ""))
            #expect(issued <= due && issued <= Self.asOf && Self.asOf - issued <= 180, "\(document)")
            #expect(["invoice", "credit_note"].contains(document["kind"] ?? ""))
            #expect(["true", "false"].contains(document["disputed"] ?? ""))
        }
    }

    @Test("limit changes and insurance: known debtors and approvals, EUR amounts, effective ≥ announced, valid_to ≥ valid_from")
    func limitsRules() throws {
        let debtors = Set(bundle.records(.debtors).compactMap { $0["debtor_ref"] })
        let approvals = Set(bundle.records(.approvals).map { "\($0["client_ref"] ?? "")|\($0["debtor_ref"] ?? "")" })
        let changes = bundle.records(.limitChanges)
        #expect(!changes.isEmpty)
        for change in changes {
            #expect(debtors.contains(change["debtor_ref"] ?? ""), "\(change)")
            if let client = change["client_ref"], !client.isEmpty {
                #expect(approvals.contains("\(client)|\(change["debtor_ref"] ?? "")"), "\(change)")
            }
            #expect(try Money.parse(change["new_limit"] ?? "", exponent: 2) >= 0)
            let announced = try #require(CalendarDate(iso: change["announced_on"] ?? ""))
            let effective = try #require(CalendarDate(iso: change["effective_on"] ?? ""))
            #expect(announced <= effective, "\(change)")
        }
        let policies = bundle.records(.insurance)
        #expect(!policies.isEmpty)
        for policy in policies {
            #expect(debtors.contains(policy["debtor_ref"] ?? ""), "\(policy)")
            #expect(!(policy["insurer"] ?? "").isEmpty)
            #expect(try Money.parse(policy["insured_limit"] ?? "", exponent: 2) >= 0)
            #expect(Int(policy["cover_bp"] ?? "").map { (0...10_000).contains($0) } == true)
            let from = try #require(CalendarDate(iso: policy["valid_from"] ?? ""))
            if let to = policy["valid_to"], !to.isEmpty {
                #expect(try #require(CalendarDate(iso: to)) >= from, "\(policy)")
            }
        }
    }

    @Test("shares: credit notes, disputes, confidential clients, foreign debtors, one embargoed country")
    func shares() {
        let documents = bundle.records(.documents)
        let creditNotes = documents.filter { $0["kind"] == "credit_note" }.count
        let disputed = documents.filter { $0["disputed"] == "true" }.count
        let fullyPaid = documents.filter { $0["open_amount"].flatMap { try? Money.parse($0, exponent: 2) } == 0 }.count
        #expect((0.03...0.07).contains(share(creditNotes, of: documents.count)))
        #expect((0.03...0.07).contains(share(disputed, of: documents.count)))
        #expect((0.2...0.45).contains(share(fullyPaid, of: documents.count)), "most documents past due are paid")
        let foreignCurrency = documents.filter { $0["currency"] != "EUR" }.count
        #expect((0.03...0.30).contains(share(foreignCurrency, of: documents.count)))

        let clients = bundle.records(.clients)
        let confidential = clients.filter { $0["mode"] == "confidential" }
        let delegated = clients.filter { $0["mode"] == "delegated" }.count
        #expect((0.05...0.15).contains(share(confidential.count, of: clients.count)))
        #expect((0.10...0.30).contains(share(delegated, of: clients.count)))
        let largeConfidential = confidential.filter { (try? Money.parse($0["annual_revenue"] ?? "", exponent: 2)) ?? 0 >= 1_500_000_000 }
        #expect(largeConfidential.count * 2 > confidential.count, "confidential clients should mostly be above 15 M EUR")

        let countries = bundle.records(.countries)
        #expect((35...45).contains(countries.count))
        #expect(countries.filter { $0["embargoed"] == "true" }.count == 1)
        #expect(countries.contains { !($0["limit"] ?? "").isEmpty })
        let embargoed = Set(countries.filter { $0["embargoed"] == "true" }.compactMap { $0["country"] })

        let debtors = bundle.records(.debtors)
        let foreign = debtors.filter { $0["country"] != "FR" }.count
        #expect((0.25...0.45).contains(share(foreign, of: debtors.count)))
        #expect(debtors.contains { embargoed.contains($0["country"] ?? "") })
        let grouped = debtors.filter { !($0["group_ref"] ?? "").isEmpty }.count
        #expect((0.05...0.15).contains(share(grouped, of: debtors.count)))
    }

    @Test("some pairs have no approval and some pairs' open invoices exceed their approval")
    func approvals() throws {
        var approved: [String: Int64] = [:]
        for approval in bundle.records(.approvals) {
            approved["\(approval["client_ref"] ?? "")|\(approval["debtor_ref"] ?? "")"] =
                try Money.parse(approval["approved"] ?? "", exponent: 2)
        }
        // The latest rate of each currency, to bring open amounts into EUR as RULEBOOK §2 does.
        var rates: [String: DecimalRate] = ["EUR": .one]
        for rate in bundle.records(.fxRates) where rate["as_of"] == Self.asOf.description {
            rates[rate["currency"] ?? ""] = DecimalRate(parsing: rate["rate"] ?? "")
        }
        var open: [String: Int64] = [:]
        var missingRate = 0
        for document in bundle.records(.documents) where document["kind"] == "invoice" {
            let code = document["currency"] ?? ""
            let currency = try #require(Currency.iso(code))
            guard let rate = rates[code] else {
                missingRate += 1
                continue
            }
            let amount = try Money.parse(document["open_amount"] ?? "", exponent: currency.exponent)
            let key = "\(document["client_ref"] ?? "")|\(document["debtor_ref"] ?? "")"
            open[key, default: 0] += Rulebook.fx(amountMinor: amount, currencyExponent: currency.exponent, rate: rate, baseExponent: 2)
        }
        let unapproved = open.keys.filter { approved[$0] == nil }.count
        let exceeded = open.filter { key, amount in approved[key].map { amount > $0 } ?? false }.count
        #expect(unapproved > 0)
        #expect(exceeded > 0)
        #expect(share(missingRate, of: bundle.rows[.documents]?.count ?? 0) < 0.001, "a currency without rates must stay rare")
    }

    @Test("fx rates: 30 daily rates up to the as-of date for each non-EUR currency with rates")
    func rates() {
        let rates = bundle.records(.fxRates)
        let byCurrency = Dictionary(grouping: rates, by: { $0["currency"] ?? "" })
        #expect(byCurrency.count >= 6)
        #expect(byCurrency["EUR"] == nil)
        #expect(byCurrency["JPY"] != nil && byCurrency["KWD"] != nil)
        for (_, days) in byCurrency {
            #expect(days.count == 30)
            #expect(days.last?["as_of"] == Self.asOf.description)
            #expect(days.first?["as_of"] == Self.asOf.adding(days: -29).description)
        }
    }

    @Test("Zipf skew: the top 1 % of debtors by document count hold more than 15 % of documents")
    func zipfSkew() {
        var perDebtor: [String: Int] = [:]
        for document in bundle.records(.documents) { perDebtor[document["debtor_ref"] ?? "", default: 0] += 1 }
        let debtorCount = bundle.rows[.debtors]?.count ?? 0
        let top = perDebtor.values.sorted(by: >).prefix(max(1, debtorCount / 100)).reduce(0, +)
        #expect(share(top, of: bundle.rows[.documents]?.count ?? 0) > 0.15)
    }

    @Test("ages spread from current to 180 days, some past due, terms averaging about 52 days")
    func ageing() throws {
        var ages: [Int] = []
        var terms: [Int] = []
        for document in bundle.records(.documents) where document["kind"] == "invoice" {
            let issued = try #require(CalendarDate(iso: document["issue_date"] ?? ""))
            let due = try #require(CalendarDate(iso: document["due_date"] ?? ""))
            ages.append(Self.asOf - issued)
            terms.append(due - issued)
        }
        #expect(ages.contains(0) && ages.contains { $0 > 150 })
        let pastDue = zip(ages, terms).filter { $0 > $1 }.count
        #expect((0.2...0.7).contains(share(pastDue, of: ages.count)))
        let meanTerms = Double(terms.reduce(0, +)) / Double(terms.count)
        #expect((45.0...60.0).contains(meanTerms))
    }

    @Test("own funds are about a tenth of the open ledger")
    func ownFunds() throws {
        let ownFunds = try Money.parse(bundle.records(.tenant).first?["own_funds"] ?? "", exponent: 2)
        var openEUR: Int64 = 0
        for document in bundle.records(.documents) where document["currency"] == "EUR" {
            let open = try Money.parse(document["open_amount"] ?? "", exponent: 2)
            openEUR += document["kind"] == "invoice" ? open : -open
        }
        let eurShare = share(bundle.records(.documents).filter { $0["currency"] == "EUR" }.count, of: 20_000)
        let ratio = Double(ownFunds) / (Double(openEUR) / eurShare)
        #expect((0.06...0.15).contains(ratio), "own funds \(ownFunds) against an open ledger of about \(Double(openEUR) / eurShare)")
    }

    @Test("tiny and empty portfolios still make a valid bundle", arguments: [0, 1, 10, 100])
    func tiny(documents: Int) throws {
        let bundle = try Self.generate(.init(tenantRef: "tiny", documents: documents, seed: 7, asOf: Self.asOf))
        #expect(bundle.order == BundleFile.loadOrder)
        #expect((bundle.rows[.documents] ?? []).count == documents)
        let clients = Set(bundle.records(.clients).compactMap { $0["client_ref"] })
        let debtors = Set(bundle.records(.debtors).compactMap { $0["debtor_ref"] })
        #expect(clients.count >= 3)
        #expect(debtors.count == 20 * clients.count)
        for document in bundle.records(.documents) {
            #expect(clients.contains(document["client_ref"] ?? "") && debtors.contains(document["debtor_ref"] ?? ""))
        }
        for file in BundleFile.loadOrder {
            #expect((bundle.rows[file] ?? []).allSatisfy { $0.count == file.columns.count })
        }
    }

    @Test("client counts scale with documents: 50 at least, 33,000 at most, never above half the documents")
    func clientScaling() {
        #expect(SyntheticWorld.clientCount(documents: 0) == 3)
        #expect(SyntheticWorld.clientCount(documents: 10) == 5)
        #expect(SyntheticWorld.clientCount(documents: 100) == 50)
        #expect(SyntheticWorld.clientCount(documents: 1_000_000) == 3_333)
        #expect(SyntheticWorld.clientCount(documents: 100_000_000) == 33_000)
    }

    @Test("the deterministic log and exp agree with the known values")
    func deterministicMath() {
        #expect(abs(DeterministicMath.log(1)) < 1e-15)
        #expect(abs(DeterministicMath.log(2.718_281_828_459_045) - 1) < 1e-14)
        #expect(abs(DeterministicMath.log(5_300) - 8.575_462_099_540_212) < 1e-12)
        #expect(abs(DeterministicMath.exp(1) - 2.718_281_828_459_045) < 1e-14)
        #expect(abs(DeterministicMath.exp(-3.5) - 0.030_197_383_422_318_501) < 1e-16)
        #expect(abs(DeterministicMath.pow(10, 1.1) - 12.589_254_117_941_673) < 1e-12)
    }

    @Test("SplitMix64 gives the published sequence for seed 0")
    func splitMix() {
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        #expect(generator.next() == 0x06C4_5D18_8009_454F)
    }
}
