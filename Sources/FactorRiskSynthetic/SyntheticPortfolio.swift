import FactorRiskCore

/// A deterministic, realistic portfolio bundle of any size, for demos, load tests and benchmarks.
///
/// Real ledgers cannot leave a factor, yet the service must be shown and measured on something
/// that looks like one: a few hundred to tens of thousands of clients, twenty debtors a client
/// with a few very popular ones, a third of them abroad in forty countries, all three modes,
/// several currencies, ageing up to 180 days, disputes, credit notes, missing and exceeded
/// approvals, debtor groups and affiliates (the French market: about 33,000 client firms, 79 M
/// invoices a year, 5,300 EUR an invoice, 52 days of payment delay). Every row passes FORMATS.md.
///
/// A healthy book with a few clients and debtors behaving badly, at these rates (RULEBOOK §6, §8):
/// - about 2 % of the debtors over-allocated (their clients' approvals above their credit limit;
///   3.5 % of the debtors with an approval) and about 0.4 % in DEBTOR_LIMIT_BREACH (the demo's
///   200,000 documents: 286 and 47 of 13,320 debtors);
/// - the collecting clients (delegated, confidential) report the paid part of their invoices as
///   collections and remit each within the 2 days of `remittance_days`, but 3 % of them (2 to 5 %)
///   stopped remitting 6 to 40 days ago and hold cash; a notified client reports a collection only
///   for the rare payment a debtor misdirected to it (0.3 % of its paid invoices);
/// - nearly every invoice is `deposited` within three days of issue (99.8 %), fully paid ones are
///   reported `paid`, 30 % of the disputed ones `refused`;
/// - one client in ten dilutes (more and larger credit notes: dilution above the 5 % allowance),
///   1 % of the clients leave paid invoices open (PAID_STILL_OPEN), and 2 % each issue
///   duplicates, invoice in round thousands, or lodge invoices on no platform (undeposited);
/// - debtors pay around the due date: the open ledger is mostly current, about 3 % of it aged,
///   and under 1 % of the debtors are slow payers (30 days past due on average);
/// - a fifth of the debtors with a credit-limit history, some with a cut pending, 5 % of the
///   approvals with a change, 40 % of the debtors credit-insured, some of them for part of their
///   limit or with a policy about to end (RULEBOOK §9; `SyntheticLimits` states the rates).
///
/// The output depends only on `Parameters`: the same parameters give byte-identical rows on every
/// run and platform, so a benchmark bundle can be regenerated instead of stored. Building the
/// value draws the clients, debtors and limits (memory proportional to them); `generate` then
/// streams the documents one row at a time, so ten million of them never sit in memory; the
/// collections, remittances and events draw the document stream again rather than keep it.
public struct SyntheticPortfolio: Sendable {
    /// What a synthetic bundle is made from; nothing else influences its content.
    public struct Parameters: Sendable, Hashable {
        /// The tenant the bundle is for (`tenant.csv`); also gives the tenant's name.
        public var tenantRef: String
        /// The exact number of rows of `documents.csv`; clients and debtors scale with it.
        public var documents: Int
        /// Selects one portfolio among all those of this size: change it to get another.
        public var seed: UInt64
        /// The date the ledger is extracted on: no document is issued after it, ageing counts back
        /// from it, and the fx rates cover the 30 days up to it.
        public var asOf: CalendarDate

        /// Creates the parameters; `documents` must not be negative and `tenantRef` must be a
        /// valid reference (1 to 64 characters).
        public init(tenantRef: String, documents: Int, seed: UInt64 = 1, asOf: CalendarDate) {
            self.tenantRef = tenantRef
            self.documents = documents
            self.seed = seed
            self.asOf = asOf
        }
    }

    /// The parameters the portfolio was drawn from.
    public let parameters: Parameters
    /// The number of rows of `clients.csv`: documents / 300, kept within 50...33,000 (fewer for
    /// a tiny bundle, never under 3).
    public let clientCount: Int
    /// The number of rows of `debtors.csv`: twenty per client.
    public let debtorCount: Int

    let world: SyntheticWorld

    /// Draws the clients, debtors, approvals and limits of the portfolio; the documents are drawn
    /// later, by `generate`, one at a time.
    ///
    /// Takes about a second for the 33,000 clients and 660,000 debtors of a ten-million-document
    /// portfolio.
    public init(_ parameters: Parameters) {
        precondition(parameters.documents >= 0, "a portfolio cannot have \(parameters.documents) documents")
        precondition((1...64).contains(parameters.tenantRef.utf8.count), "a tenant_ref has 1 to 64 characters")
        precondition(
            (3...9998).contains(parameters.asOf.year),
            "the as-of date must leave room for 180 days of ageing, 90 days of terms and two years of limit history"
        )
        self.parameters = parameters
        self.world = SyntheticWorld(documents: parameters.documents, seed: parameters.seed)
        self.clientCount = world.clients.count
        self.debtorCount = world.debtors.count
    }

    /// Emits every file of the bundle through `sink`, in `BundleFile.loadOrder`, documents
    /// streamed one row at a time (never all held in memory).
    ///
    /// Calling it twice emits the same rows twice. Errors come only from the sink, and stop the
    /// generation where they happen.
    public func generate(into sink: inout some BundleSink) throws {
        let refs = SyntheticRefs(clientCount: clientCount, debtorCount: debtorCount, groupCount: world.groupCount)
        for file in BundleFile.loadOrder {
            try sink.begin(file)
            switch file {
            case .tenant: try emitTenant(into: &sink)
            case .countries: try emitCountries(into: &sink)
            case .clients: try emitClients(into: &sink, refs: refs)
            case .debtors: try emitDebtors(into: &sink, refs: refs)
            case .approvals: try emitApprovals(into: &sink, refs: refs)
            case .fxRates: try emitRates(into: &sink)
            case .documents: try emitDocuments(into: &sink, refs: refs)
            case .collections: try emitCollections(into: &sink)
            case .remittances: try emitRemittances(into: &sink, refs: refs)
            case .documentEvents: try emitDocumentEvents(into: &sink)
            case .limitChanges: try emitLimitChanges(into: &sink, refs: refs)
            case .insurance: try emitInsurance(into: &sink, refs: refs)
            }
            try sink.end(file)
        }
    }

    /// Money of the base currency, EUR, as the files write it.
    static func euros(_ minor: Int64) -> String {
        Money.format(minor, exponent: 2)
    }

    private func emitTenant(into sink: inout some BundleSink) throws {
        try sink.row([
            parameters.tenantRef, SyntheticNames.tenant(ref: parameters.tenantRef), "EUR",
            SyntheticCountry.table[SyntheticCountry.home].code, Self.euros(world.ownFunds),
        ])
    }

    private func emitCountries(into sink: inout some BundleSink) throws {
        for (index, country) in SyntheticCountry.table.enumerated() {
            try sink.row([
                country.code, String(country.grade), country.embargoed ? "true" : "false",
                world.countryLimits[index].map(Self.euros) ?? "",
            ])
        }
    }

    private func emitClients(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        for (index, client) in world.clients.enumerated() {
            let country = SyntheticCountry.table[client.country]
            try sink.row([
                refs.clients[index],
                SyntheticNames.company(index: index, country: country, seed: parameters.seed, salt: 11),
                country.code, client.mode.text, Self.euros(client.revenue), String(client.financialGrade),
                String(client.holdbackBP), Self.euros(client.fundingLimit), Self.euros(client.fundedBalance),
                client.group >= 0 ? refs.groups[client.group] : "",
            ])
        }
    }

    private func emitDebtors(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        for (index, debtor) in world.debtors.enumerated() {
            let country = SyntheticCountry.table[debtor.country]
            try sink.row([
                refs.debtors[index],
                SyntheticNames.company(index: index, country: country, seed: parameters.seed, salt: 12),
                country.code, debtor.group >= 0 ? refs.groups[debtor.group] : "", Self.euros(debtor.creditLimit),
            ])
        }
    }

    private func emitApprovals(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        for client in 0..<clientCount {
            for pair in world.pairStart[client]..<world.pairStart[client + 1] where world.pairApproved[pair] >= 0 {
                try sink.row([
                    refs.clients[client], refs.debtors[Int(world.pairDebtor[pair])], Self.euros(world.pairApproved[pair]),
                ])
            }
        }
    }

    /// Daily rates for the 30 days up to the as-of date: a small random walk from each
    /// currency's starting rate, in integers, so no binary fraction ever reaches the text.
    private func emitRates(into sink: inout some BundleSink) throws {
        var rng = SplitMix64.stream(6, of: parameters.seed)
        for currency in SyntheticCurrency.table where currency.hasRates {
            var mantissa = currency.rateMantissa
            for day in 0..<30 {
                guard let rate = DecimalRate(mantissa: mantissa, scale: currency.rateScale) else {
                    preconditionFailure("a synthetic rate went negative")
                }
                try sink.row([currency.code, parameters.asOf.adding(days: day - 29).description, rate.description])
                let move = Int64(rng.int(in: -currency.dailyMoveBP...currency.dailyMoveBP))
                mantissa = max(1, mantissa + mantissa * move / 10_000)
            }
        }
    }
}
