import FactorRiskCore
@testable import FactorRiskSynthetic
import Testing

/// The demo world is a believable book: a few debtors over-allocated and fewer in breach, a few
/// collecting clients holding cash, one client in ten diluting, and a handful of each ledger
/// pattern. Every share is worked out here from the generated files themselves (the breaches
/// through the reference engine), not from the generator's own bookkeeping.
@Suite("Synthetic book rates")
struct SyntheticBookRatesTests {
    static let asOf = CalendarDate(year: 2026, month: 11, day: 20)!
    /// 200 clients, 4,000 debtors: enough for shares of a few percent to mean something.
    static let parameters = SyntheticPortfolio.Parameters(tenantRef: "rates", documents: 60_000, seed: 1, asOf: asOf)

    static let bundle: RecordingBundleSink = {
        var sink = RecordingBundleSink()
        do { try SyntheticPortfolio(parameters).generate(into: &sink) } catch { preconditionFailure("\(error)") }
        return sink
    }()

    /// What the tests need of the bundle, parsed once.
    struct Book {
        struct Document {
            var ref: String, client: String, debtor: String, isInvoice: Bool, currency: Currency
            var amount: Int64, open: Int64, issued: CalendarDate, due: CalendarDate, disputed: Bool
        }

        /// One row of limit_changes.csv; `client` is empty for a debtor's credit limit.
        struct LimitChange {
            var ref: String, debtor: String, client: String, newLimit: Int64, announced: CalendarDate, effective: CalendarDate
        }

        /// One row of insurance.csv.
        struct Insurance {
            var debtor: String, insurer: String, insuredLimit: Int64, coverBP: Int, validFrom: CalendarDate, validTo: CalendarDate?
        }

        var modes: [String: String] = [:]
        /// The credit limits in force on the as-of date (debtors.csv, unless a change overrides it).
        var creditLimits: [String: Int64] = [:]
        /// The approvals in force on the as-of date, by "client|debtor".
        var approvals: [String: Int64] = [:]
        var approvedTotals: [String: Int64] = [:]
        var limitChanges: [LimitChange] = []
        var insurance: [String: Insurance] = [:]
        var documents: [String: Document] = [:]
        var rates: [String: DecimalRate] = ["EUR": .one]
        /// (doc_ref, collected_on, amount in the document's currency)
        var collections: [(doc: String, on: CalendarDate, amount: Int64)] = []
        /// (client_ref, received_on, currency, amount)
        var remittances: [(client: String, on: CalendarDate, currency: Currency, amount: Int64)] = []
        /// doc_ref → event → date
        var events: [String: [String: CalendarDate]] = [:]

        /// `amount` of `currency` in EUR cents as RULEBOOK §2 converts it, nil without a rate.
        func euros(_ amount: Int64, _ currency: Currency) -> Int64? {
            rates[currency.code].map { Rulebook.fx(amountMinor: amount, currencyExponent: currency.exponent, rate: $0, baseExponent: 2) }
        }
    }

    static let book: Book = {
        let bundle = Self.bundle
        var book = Book()
        func money(_ text: String?, _ exponent: Int = 2) -> Int64 { (try? Money.parse(text ?? "", exponent: exponent)) ?? -1 }
        for client in bundle.records(.clients) { book.modes[client["client_ref"]!] = client["mode"]! }
        for debtor in bundle.records(.debtors) { book.creditLimits[debtor["debtor_ref"]!] = money(debtor["credit_limit"]) }
        for approval in bundle.records(.approvals) { book.approvals["\(approval["client_ref"]!)|\(approval["debtor_ref"]!)"] = money(approval["approved"]) }
        for row in bundle.records(.limitChanges) {
            book.limitChanges.append(Book.LimitChange(
                ref: row["change_ref"]!, debtor: row["debtor_ref"]!, client: row["client_ref"]!, newLimit: money(row["new_limit"]),
                announced: CalendarDate(iso: row["announced_on"]!)!, effective: CalendarDate(iso: row["effective_on"]!)!))
        }
        // RULEBOOK §9.1: the latest change effective by the as-of date, by (effective_on, announced_on, change_ref).
        var inForce: [String: Book.LimitChange] = [:]
        for change in book.limitChanges where change.effective <= asOf {
            let key = "\(change.client)|\(change.debtor)"
            if let current = inForce[key] {
                let later = current.effective != change.effective ? change.effective > current.effective
                    : current.announced != change.announced ? change.announced > current.announced
                    : current.ref.utf8.lexicographicallyPrecedes(change.ref.utf8)
                guard later else { continue }
            }
            inForce[key] = change
        }
        for (key, change) in inForce {
            if change.client.isEmpty { book.creditLimits[change.debtor] = change.newLimit } else { book.approvals[key] = change.newLimit }
        }
        for (key, approved) in book.approvals { book.approvedTotals[String(key.split(separator: "|")[1]), default: 0] += approved }
        for row in bundle.records(.insurance) {
            book.insurance[row["debtor_ref"]!] = Book.Insurance(
                debtor: row["debtor_ref"]!, insurer: row["insurer"]!, insuredLimit: money(row["insured_limit"]), coverBP: Int(row["cover_bp"]!)!,
                validFrom: CalendarDate(iso: row["valid_from"]!)!, validTo: row["valid_to"]!.isEmpty ? nil : CalendarDate(iso: row["valid_to"]!)!)
        }
        for rate in bundle.records(.fxRates) where rate["as_of"] == asOf.description {
            book.rates[rate["currency"]!] = DecimalRate(parsing: rate["rate"]!)
        }
        for row in bundle.records(.documents) {
            let currency = Currency.iso(row["currency"]!)!
            book.documents[row["doc_ref"]!] = Book.Document(
                ref: row["doc_ref"]!, client: row["client_ref"]!, debtor: row["debtor_ref"]!, isInvoice: row["kind"] == "invoice",
                currency: currency, amount: money(row["amount"], currency.exponent), open: money(row["open_amount"], currency.exponent),
                issued: CalendarDate(iso: row["issue_date"]!)!, due: CalendarDate(iso: row["due_date"]!)!, disputed: row["disputed"] == "true")
        }
        for row in bundle.records(.collections) {
            let document = book.documents[row["doc_ref"]!]
            book.collections.append((row["doc_ref"]!, CalendarDate(iso: row["collected_on"]!)!,
                                     money(row["amount"], document?.currency.exponent ?? 2)))
        }
        for row in bundle.records(.remittances) {
            let currency = Currency.iso(row["currency"]!)!
            book.remittances.append((row["client_ref"]!, CalendarDate(iso: row["received_on"]!)!, currency,
                                     money(row["amount"], currency.exponent)))
        }
        for row in bundle.records(.documentEvents) { book.events[row["doc_ref"]!, default: [:]][row["event"]!] = CalendarDate(iso: row["event_date"]!)! }
        return book
    }()

    /// The reference engine's report of the bundle on the as-of date, with the default policy.
    static let engineReport: Result<RiskReport, BundleIssue> = {
        var files: [BundleFile: [UInt8]] = [:]
        for file in BundleFile.allCases {
            files[file] = Array(([file.header] + (bundle.rows[file] ?? [])).map(CSVEncoding.line).joined().utf8)
        }
        return Result { () throws(BundleIssue) in ReferenceEngine.compute(try Portfolio(bundle: files), asOf: asOf) }
    }()

    static func report() throws -> RiskReport { try engineReport.get() }

    func share(_ part: Int, of whole: Int) -> Double { Double(part) / Double(max(1, whole)) }

    @Test("about 3 % of the debtors are over-allocated, under 1 % (but some) in DEBTOR_LIMIT_BREACH")
    func debtorLimits() throws {
        let book = Self.book
        let overAllocated = book.creditLimits.filter { debtor, limit in (book.approvedTotals[debtor] ?? 0) > limit }.count
        #expect((0.015...0.05).contains(share(overAllocated, of: book.creditLimits.count)), "\(overAllocated) of \(book.creditLimits.count)")

        let report = try Self.report()
        let breached = report.debtors.filter { $0.flags.contains(.debtorLimitBreach) }.count
        #expect(breached > 0 && share(breached, of: report.debtors.count) < 0.01, "\(breached) of \(report.debtors.count)")
        let flaggedOver = report.debtors.filter { $0.flags.contains(.debtorOverAllocated) }.count
        #expect(flaggedOver == overAllocated)
    }

    @Test("debtors pay around the due date: the open ledger mostly current, a few percent aged, under 1 % slow payers")
    func openLedger() throws {
        let book = Self.book
        var open: Int64 = 0, aged: Int64 = 0, weightedDays: Int64 = 0
        for document in book.documents.values where document.isInvoice && document.open > 0 {
            guard let euros = book.euros(document.open, document.currency) else { continue }
            open += euros
            let late = max(0, Self.asOf - document.due)
            if Self.asOf - document.issued > 90 || late > 60 { aged += euros }
            weightedDays += euros * Int64(late) / 100
        }
        #expect(Double(aged) / Double(open) < 0.06, "aged \(aged) of \(open)")
        let averageDays = Double(weightedDays) / (Double(open) / 100)
        #expect((1.0...15.0).contains(averageDays), "a euro owed is \(averageDays) days past due")
        let report = try Self.report()
        let owing = report.debtors.filter { $0.guaranteed > 0 }
        let slow = owing.filter { $0.flags.contains(.debtorSlowPayer) }.count
        #expect(share(slow, of: owing.count) < 0.01, "\(slow) of \(owing.count)")
    }

    @Test("2 to 5 % of the collecting clients hold collected cash past the remittance delay; the others none")
    func cashHolders() throws {
        let book = Self.book
        let due = Self.asOf.adding(days: -2)
        var held: [String: Int64] = [:]
        for collection in book.collections where collection.on <= due {
            let document = book.documents[collection.doc]!
            guard let euros = book.euros(collection.amount, document.currency) else { continue }
            held[document.client, default: 0] += euros
        }
        for remittance in book.remittances where remittance.on <= Self.asOf {
            guard let euros = book.euros(remittance.amount, remittance.currency) else { continue }
            held[remittance.client, default: 0] -= euros
        }
        let holders = held.filter { $0.value > 0 }.map(\.key)
        let collecting = book.modes.filter { $0.value != "notified" }.count
        #expect((0.02...0.05).contains(share(holders.count, of: collecting)), "\(holders.count) of \(collecting) collecting clients")
        #expect(holders.allSatisfy { book.modes[$0] != "notified" })
        let flagged = try Self.report().clients.filter { $0.flags.contains(.unremittedCollections) }.map(\.clientRef)
        #expect(flagged.sorted() == holders.sorted())
    }

    @Test("collections are the paid part of the collecting clients' invoices, dated between issue and as-of")
    func collections() {
        let book = Self.book
        var byDocument: [String: Int64] = [:]
        for collection in book.collections {
            let document = book.documents[collection.doc]!
            #expect(document.isInvoice && collection.amount > 0)
            #expect(document.issued <= collection.on && collection.on <= Self.asOf)
            byDocument[collection.doc, default: 0] += collection.amount
        }
        for (ref, collected) in byDocument {
            let document = book.documents[ref]!
            #expect(collected == document.amount - document.open, "\(ref)")
        }
        let collectingPaid = book.documents.values.filter {
            $0.isInvoice && $0.open < $0.amount && book.modes[$0.client] != "notified"
        }
        #expect(collectingPaid.allSatisfy { byDocument[$0.ref] != nil })
        let notified = byDocument.keys.filter { book.modes[book.documents[$0]!.client] == "notified" }.count
        let notifiedPaid = book.documents.values.filter { $0.isInvoice && $0.open < $0.amount && book.modes[$0.client] == "notified" }.count
        #expect(share(notified, of: notifiedPaid) < 0.02, "misdirected payments are rare")
    }

    @Test("events: nearly every invoice deposited within days, fully paid ones paid, some disputed ones refused")
    func events() {
        let book = Self.book
        let invoices = book.documents.values.filter(\.isInvoice)
        let old = invoices.filter { Self.asOf - $0.issued > 5 }
        let deposited = old.filter { document in book.events[document.ref]?["deposited"].map { $0 - document.issued <= 3 } ?? false }
        let undeposited = old.filter { book.events[$0.ref]?["deposited"] == nil }
        #expect(share(deposited.count, of: old.count) > 0.99)
        #expect(!undeposited.isEmpty && share(undeposited.count, of: old.count) < 0.01, "\(undeposited.count) of \(old.count)")
        let fullyPaid = invoices.filter { $0.open == 0 }
        #expect(fullyPaid.allSatisfy { book.events[$0.ref]?["paid"] != nil })
        let refused = invoices.filter { book.events[$0.ref]?["refused"] != nil }
        #expect(!refused.isEmpty && refused.allSatisfy(\.disputed))
    }

    @Test("one client in ten dilutes above the 5 % allowance")
    func dilution() throws {
        let book = Self.book
        var invoiced: [String: Int64] = [:], credited: [String: Int64] = [:]
        for document in book.documents.values where Self.asOf - document.issued < 90 {
            guard let euros = book.euros(document.amount, document.currency) else { continue }
            if document.isInvoice { invoiced[document.client, default: 0] += euros } else { credited[document.client, default: 0] += euros }
        }
        let diluting = invoiced.filter { client, total in total > 0 && (credited[client] ?? 0) * 10_000 / total > 500 }.count
        #expect((0.05...0.16).contains(share(diluting, of: book.modes.count)), "\(diluting) of \(book.modes.count)")
        let report = try Self.report()
        #expect(report.clients.filter { ($0.dilutionBP ?? 0) > 500 }.count == diluting)
        #expect(report.clients.contains { $0.flags.contains(.dilutionHigh) })
    }

    @Test("a handful of clients with paid-still-open, duplicate and round-amount invoices")
    func ledgerPatterns() throws {
        let book = Self.book
        let clients = book.modes.count
        let paidStillOpen = Set(book.documents.values.filter { document in
            document.isInvoice && document.open > 0 && (book.events[document.ref]?["paid"].map { $0 <= Self.asOf.adding(days: -2) } ?? false)
        }.map(\.client))
        #expect(!paidStillOpen.isEmpty && share(paidStillOpen.count, of: clients) <= 0.05, "\(paidStillOpen.count)")

        var seen: [String: [CalendarDate]] = [:]
        for document in book.documents.values where document.isInvoice {
            seen["\(document.client)|\(document.debtor)|\(document.currency.code)|\(document.amount)", default: []].append(document.issued)
        }
        let duplicating = Set(seen.filter { _, dates in
            dates.count > 1 && dates.sorted().adjacentPairs().contains { $1 - $0 <= 3 }
        }.keys.map { String($0.split(separator: "|")[0]) })
        #expect(!duplicating.isEmpty && share(duplicating.count, of: clients) <= 0.05, "\(duplicating.count)")

        var recent: [String: (all: Int, round: Int)] = [:]
        for document in book.documents.values where document.isInvoice && Self.asOf - document.issued < 30 {
            var unit: Int64 = 1_000
            for _ in 0..<document.currency.exponent { unit *= 10 }
            recent[document.client, default: (0, 0)].all += 1
            if document.amount % unit == 0 { recent[document.client, default: (0, 0)].round += 1 }
        }
        let round = recent.filter { $0.value.all >= 10 && $0.value.round * 10_000 >= 3_000 * $0.value.all }.count
        #expect(round > 0 && share(round, of: clients) <= 0.05, "\(round)")

        // The reference engine finds the same handful.
        let report = try Self.report()
        func flagged(_ flag: RiskFlag) -> Set<String> { Set(report.clients.filter { $0.flags.contains(flag) }.map(\.clientRef)) }
        #expect(flagged(.paidStillOpen) == paidStillOpen)
        #expect(flagged(.roundAmounts).count == round)
        #expect(!flagged(.duplicateSuspect).isEmpty && flagged(.duplicateSuspect).isSubset(of: duplicating))
        let breaches = report.clients.filter { $0.flags.contains(.unremittedCollections) || $0.flags.contains(.paidStillOpen) }
        #expect((1...12).contains(breaches.count), "cash breaches: a handful, \(breaches.count)")
    }
}

extension Sequence {
    /// Each element with the one after it.
    fileprivate func adjacentPairs() -> [(Element, Element)] {
        let all = Array(self)
        return zip(all, all.dropFirst()).map { ($0, $1) }
    }
}
