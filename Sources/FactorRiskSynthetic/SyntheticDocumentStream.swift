import FactorRiskCore

/// The documents of a portfolio, drawn one at a time in `documents.csv` order.
///
/// The stream depends only on the world and the parameters, so drawing it again gives the same
/// documents: that is how the files after `documents.csv` (collections, remittances, events) see
/// every document without any being kept. Each draw picks a client by size, one of that client's
/// debtors by its share of the ledger, a currency, a lognormal amount, an age (recent more likely,
/// up to 180 days), terms, payment and dispute status; the clients' behaviours bend a few draws
/// (more credit notes, whole thousands, a copy of the previous invoice).
struct SyntheticDocumentStream {
    /// Payment terms in days and their weights: 30 to 90 days, averaging about 52 days, the
    /// French average payment delay.
    static let terms: [(days: Int, weight: Double)] = [(30, 0.26), (45, 0.25), (60, 0.37), (90, 0.12)]
    /// The oldest document, in days before the as-of date.
    static let maxAge = 180
    /// The latest due date, in days after the as-of date.
    static let latestDue = 90
    /// A healthy client's share of credit notes, and a diluting client's (with larger ones).
    static let creditNoteShare = 0.04
    static let dilutingCreditNoteShare = 0.15
    static let dilutingCreditNoteFactor = 2.5
    /// The share of a round-amount client's invoices in whole thousands.
    static let roundInvoiceShare = 0.7
    /// The share of a duplicating client's invoices that repeat its previous one.
    static let duplicateInvoiceShare = 0.04

    let world: SyntheticWorld
    let count: Int
    private var rng: SplitMix64
    private var number = 0
    private let exponents: [Int]
    private let roundUnits: [Int64]
    private let minorPerEuro: [Double]
    private let usd: Int
    private let countryCurrency: [Int]
    private let countryLocalShare: [Double]
    private let termTotals: [Double]
    private let invoiceMu: Double
    private let creditMu: Double
    private let dilutingCreditMu: Double
    /// The previous invoice of each duplicating client (its number 0 when none yet).
    private var previous: [SyntheticDocument]

    init(world: SyntheticWorld, count: Int, seed: UInt64) {
        self.world = world
        self.count = count
        rng = SplitMix64.stream(5, of: seed)
        let currencies = SyntheticCurrency.table
        exponents = currencies.map { currency -> Int in
            guard let iso = Currency.iso(currency.code) else {
                preconditionFailure("\(currency.code) is not an ISO 4217 currency")
            }
            return iso.exponent
        }
        roundUnits = exponents.map { exponent in
            var unit: Int64 = 1_000
            for _ in 0..<exponent { unit *= 10 }
            return unit
        }
        // Minor units of each currency per EUR, to turn a sampled EUR amount into an integer.
        minorPerEuro = currencies.indices.map { [exponents] index -> Double in
            var scale = 1.0
            for _ in 0..<exponents[index] { scale *= 10 }
            return scale / currencies[index].approximateRate
        }
        usd = SyntheticCurrency.index(of: "USD")
        countryCurrency = SyntheticCountry.table.map { $0.currency.map(SyntheticCurrency.index(of:)) ?? 0 }
        countryLocalShare = SyntheticCountry.table.map { $0.currency == nil ? 0 : $0.localShare }
        termTotals = CumulativeWeights.running(Self.terms.map(\.weight))
        let spread = SyntheticWorld.amountSigma * SyntheticWorld.amountSigma / 2
        invoiceMu = DeterministicMath.log(SyntheticWorld.meanInvoice) - spread
        creditMu = DeterministicMath.log(SyntheticWorld.meanCreditNote) - spread
        dilutingCreditMu = DeterministicMath.log(SyntheticWorld.meanCreditNote * Self.dilutingCreditNoteFactor) - spread
        let none = SyntheticDocument(number: 0, client: 0, debtor: 0, isCreditNote: false, currency: 0, amount: 0, open: 0,
                                     age: 0, dueOffset: 0, disputed: false)
        previous = [SyntheticDocument](repeating: none, count: world.clients.count)
    }

    /// The exponent of the currency at `index` of `SyntheticCurrency.table`.
    func exponent(_ currency: Int) -> Int { exponents[currency] }

    /// The next document, nil after the last.
    mutating func next() -> SyntheticDocument? {
        guard number < count else { return nil }
        number += 1
        let client = CumulativeWeights.index(in: world.clientTotals, range: 0..<world.clients.count, fraction: rng.unit())
        let behaviour = world.clients[client].behaviour
        if behaviour.contains(.duplicates), previous[client].number > 0, rng.chance(Self.duplicateInvoiceShare) {
            // The same invoice again, issued within three days of the first, and left open.
            var copy = previous[client]
            let age = min(Self.maxAge, max(0, copy.age + rng.int(in: -3...3)))
            copy.dueOffset += copy.age - age
            copy.number = number
            copy.age = age
            copy.open = copy.amount
            copy.disputed = false
            return copy
        }
        let pair = CumulativeWeights.index(
            in: world.pairTotals, range: world.pairStart[client]..<world.pairStart[client + 1], fraction: rng.unit()
        )
        let debtor = Int(world.pairDebtor[pair])
        let dilutes = behaviour.contains(.dilutes)
        let isCreditNote = rng.chance(dilutes ? Self.dilutingCreditNoteShare : Self.creditNoteShare)

        // Currency: abroad often the debtor's own, at home now and then USD.
        let country = world.debtors[debtor].country
        var currency = 0
        if countryCurrency[country] != 0, rng.chance(countryLocalShare[country]) {
            currency = countryCurrency[country]
        } else if country == SyntheticCountry.home, rng.chance(0.01) {
            currency = usd
        }

        // Amount: lognormal in EUR, converted to the currency's minor units at once.
        let mu = isCreditNote ? (dilutes ? dilutingCreditMu : creditMu) : invoiceMu
        let euros = min(DeterministicMath.exp(mu + SyntheticWorld.amountSigma * rng.normal()), SyntheticWorld.maxAmount)
        var amount = max(1, Int64((euros * minorPerEuro[currency]).rounded()))
        if !isCreditNote, behaviour.contains(.roundAmounts), rng.chance(Self.roundInvoiceShare) {
            let unit = roundUnits[currency]
            amount = max(1, (amount + unit / 2) / unit) * unit
        }

        // Age: most within 130 days, skewed to recent; 8 % spread evenly back to 180 days.
        let age = rng.chance(0.92)
            ? Int(130 * DeterministicMath.pow(rng.openUnit(), 1.6))
            : rng.int(in: 0...Self.maxAge)
        let termsIndex = CumulativeWeights.index(in: termTotals, range: 0..<termTotals.count, fraction: rng.unit())
        let dueOffset = isCreditNote ? -age : Self.terms[termsIndex].days - age

        // Payment: the longer past due (or the older), the likelier paid; of the rest, some partly paid.
        let late = min(max(0, -dueOffset, age - SyntheticWorld.latePaidAge), SyntheticWorld.latePaidDays)
        let paidShare = SyntheticWorld.fullyPaidShare
            + SyntheticWorld.latePaidShare * Double(late) / Double(SyntheticWorld.latePaidDays)
        let payment = rng.unit()
        let open: Int64
        if payment < paidShare {
            open = 0
        } else if payment < paidShare + SyntheticWorld.partlyPaidShare, amount > 1 {
            open = min(amount - 1, max(1, Int64(Double(amount) * rng.uniform(0.1, 0.9))))
        } else {
            open = amount
        }
        let document = SyntheticDocument(
            number: number, client: client, debtor: debtor, isCreditNote: isCreditNote, currency: currency, amount: amount,
            open: open, age: age, dueOffset: dueOffset, disputed: rng.chance(SyntheticWorld.disputedShare)
        )
        if behaviour.contains(.duplicates), !isCreditNote { previous[client] = document }
        return document
    }
}
