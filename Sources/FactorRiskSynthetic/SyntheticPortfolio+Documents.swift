import FactorRiskCore

/// The document stream: `documents.csv`, drawn one row at a time from the portfolio's structure.
extension SyntheticPortfolio {
    /// Payment terms in days and their weights: 30 to 90 days, averaging about 52 days, the
    /// French average payment delay.
    private static let terms: [(days: Int, weight: Double)] = [(30, 0.26), (45, 0.25), (60, 0.37), (90, 0.12)]
    /// The oldest document, in days before the as-of date.
    private static let maxAge = 180

    /// Draws and emits the documents. Each row picks a client by size, one of that client's
    /// debtors by its share of the ledger, a currency, a lognormal amount, an age (recent more
    /// likely, up to 180 days), terms, payment and dispute status.
    func emitDocuments(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        let count = parameters.documents
        guard count > 0 else { return }
        var rng = SplitMix64.stream(5, of: parameters.seed)

        let currencies = SyntheticCurrency.table
        let codes = currencies.map(\.code)
        let exponents = currencies.map { currency -> Int in
            guard let iso = Currency.iso(currency.code) else {
                preconditionFailure("\(currency.code) is not an ISO 4217 currency")
            }
            return iso.exponent
        }
        // Minor units of each currency per EUR, to turn a sampled EUR amount into an integer.
        let minorPerEuro = currencies.indices.map { index -> Double in
            var scale = 1.0
            for _ in 0..<exponents[index] { scale *= 10 }
            return scale / currencies[index].approximateRate
        }
        let usd = SyntheticCurrency.index(of: "USD")
        let countryCurrency = SyntheticCountry.table.map { $0.currency.map(SyntheticCurrency.index(of:)) ?? 0 }
        let countryLocalShare = SyntheticCountry.table.map { $0.currency == nil ? 0 : $0.localShare }

        // Every date a document can carry, as text, indexed by days from maxAge before the as-of date.
        let latestDue = Self.terms.map(\.days).max() ?? 0
        let dates = (-Self.maxAge...latestDue).map { parameters.asOf.adding(days: $0).description }
        let termTotals = CumulativeWeights.running(Self.terms.map(\.weight))

        let width = SyntheticRefs.width(for: count, minimum: 10)
        let invoiceMu = DeterministicMath.log(SyntheticWorld.meanInvoice) - SyntheticWorld.amountSigma * SyntheticWorld.amountSigma / 2
        let creditMu = DeterministicMath.log(SyntheticWorld.meanCreditNote) - SyntheticWorld.amountSigma * SyntheticWorld.amountSigma / 2

        let clientRange = 0..<clientCount
        let world = self.world
        var fields = [String](repeating: "", count: BundleFile.documents.columns.count)
        for number in 1...count {
            let client = CumulativeWeights.index(in: world.clientTotals, range: clientRange, fraction: rng.unit())
            let pair = CumulativeWeights.index(
                in: world.pairTotals, range: world.pairStart[client]..<world.pairStart[client + 1], fraction: rng.unit()
            )
            let debtor = Int(world.pairDebtor[pair])
            let isCreditNote = rng.chance(SyntheticWorld.creditNoteShare)

            // Currency: abroad often the debtor's own, at home now and then USD.
            let country = world.debtors[debtor].country
            var currency = 0
            if countryCurrency[country] != 0, rng.chance(countryLocalShare[country]) {
                currency = countryCurrency[country]
            } else if country == SyntheticCountry.home, rng.chance(0.01) {
                currency = usd
            }

            // Amount: lognormal in EUR, converted to the currency's minor units at once.
            let mu = isCreditNote ? creditMu : invoiceMu
            let euros = min(
                DeterministicMath.exp(mu + SyntheticWorld.amountSigma * rng.normal()), SyntheticWorld.maxAmount
            )
            let amount = max(1, Int64((euros * minorPerEuro[currency]).rounded()))

            // Age: most within 130 days, skewed to recent; 8 % spread evenly back to 180 days.
            let age = rng.chance(0.92)
                ? Int(130 * DeterministicMath.pow(rng.openUnit(), 1.6))
                : rng.int(in: 0...Self.maxAge)
            let termsIndex = CumulativeWeights.index(in: termTotals, range: 0..<termTotals.count, fraction: rng.unit())
            let dueOffset = isCreditNote ? -age : Self.terms[termsIndex].days - age

            // Payment: most fully open, some partly paid, a few fully paid.
            let payment = rng.unit()
            let open: Int64
            if payment < SyntheticWorld.fullyPaidShare {
                open = 0
            } else if payment < SyntheticWorld.fullyPaidShare + SyntheticWorld.partlyPaidShare, amount > 1 {
                open = min(amount - 1, max(1, Int64(Double(amount) * rng.uniform(0.1, 0.9))))
            } else {
                open = amount
            }
            let disputed = rng.chance(SyntheticWorld.disputedShare)

            let exponent = exponents[currency]
            fields[0] = SyntheticRefs.make(prefix: isCreditNote ? UInt8(ascii: "N") : UInt8(ascii: "I"), number: number, width: width)
            fields[1] = refs.clients[client]
            fields[2] = refs.debtors[debtor]
            fields[3] = isCreditNote ? "credit_note" : "invoice"
            fields[4] = codes[currency]
            fields[5] = Money.format(amount, exponent: exponent)
            fields[6] = Money.format(open, exponent: exponent)
            fields[7] = dates[Self.maxAge - age]
            fields[8] = dates[Self.maxAge + dueOffset]
            fields[9] = disputed ? "true" : "false"
            try sink.row(fields)
        }
    }
}
