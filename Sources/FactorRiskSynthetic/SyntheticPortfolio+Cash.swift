import FactorRiskCore

/// The files of RULEBOOK §8: `collections.csv`, `remittances.csv` and `document_events.csv`, each
/// drawn from a fresh pass over the document stream (no document is kept between files).
extension SyntheticPortfolio {
    /// The lifecycle of `document`, the same in every pass.
    func lifecycle(_ document: SyntheticDocument) -> SyntheticLifecycle {
        SyntheticLifecycle(document, client: world.clients[document.client], seed: parameters.seed)
    }

    /// One row per payment a client reported collecting: `K<doc number>-<part>`.
    func emitCollections(into sink: inout some BundleSink) throws {
        try eachPayment(into: &sink) { document, payment, part, dates, exponent in
            guard payment.amount > 0 else { return nil }
            return [
                paymentRef("K", document.number, part), paymentRef("I", document.number, nil),
                dates[SyntheticDocumentStream.maxAge - payment.age], Money.format(payment.amount, exponent: exponent),
            ]
        }
    }

    /// One remittance per collection passed on by the as-of date, in the collection's currency and
    /// amount: `R<doc number>-<part>` (one each, so no rounding of a converted total ever leaves a
    /// cent unremitted).
    func emitRemittances(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        let codes = SyntheticCurrency.table.map(\.code)
        try eachPayment(into: &sink) { document, payment, part, dates, exponent in
            guard let remitted = payment.remittedAge else { return nil }
            return [
                paymentRef("R", document.number, part), refs.clients[document.client],
                dates[SyntheticDocumentStream.maxAge - remitted], codes[document.currency],
                Money.format(payment.amount, exponent: exponent),
            ]
        }
    }

    /// The platform's events of each invoice: deposited, refused, paid, as they were reported.
    func emitDocumentEvents(into sink: inout some BundleSink) throws {
        var stream = documentStream()
        let dates = dateTexts()
        let maxAge = SyntheticDocumentStream.maxAge
        var fields = ["", "", ""]
        func emit(_ event: String, _ age: Int?, into sink: inout some BundleSink) throws {
            guard let age else { return }
            fields[1] = event
            fields[2] = dates[maxAge - age]
            try sink.row(fields)
        }
        while let document = stream.next() {
            let life = lifecycle(document)
            guard life.deposited != nil || life.refused != nil || life.paid != nil else { continue }
            fields[0] = paymentRef("I", document.number, nil)
            try emit("deposited", life.deposited, into: &sink)
            try emit("refused", life.refused, into: &sink)
            try emit("paid", life.paid, into: &sink)
        }
    }

    /// Calls `row` for every payment a client collected, and writes the fields it returns.
    private func eachPayment(
        into sink: inout some BundleSink, _ row: (SyntheticDocument, SyntheticLifecycle.Payment, Int, [String], Int) -> [String]?
    ) throws {
        var stream = documentStream()
        let dates = dateTexts()
        while let document = stream.next() {
            let life = lifecycle(document)
            guard life.collected else { continue }
            for part in 1...2 {
                guard let payment = life.payment(part),
                      let fields = row(document, payment, part, dates, stream.exponent(document.currency))
                else { continue }
                try sink.row(fields)
            }
        }
    }

    /// `prefix`, the document's number as its doc ref writes it, and `-part` when given.
    private func paymentRef(_ prefix: Character, _ number: Int, _ part: Int?) -> String {
        let ref = SyntheticRefs.make(prefix: prefix.asciiValue ?? UInt8(ascii: "X"), number: number, width: documentRefWidth)
        guard let part else { return ref }
        return ref + "-\(part)"
    }
}
