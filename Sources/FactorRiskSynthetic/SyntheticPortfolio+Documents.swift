import FactorRiskCore

/// The document stream: `documents.csv`, drawn one row at a time from the portfolio's structure.
extension SyntheticPortfolio {
    /// A fresh draw of the portfolio's documents, from the first.
    func documentStream() -> SyntheticDocumentStream {
        SyntheticDocumentStream(world: world, count: parameters.documents, seed: parameters.seed)
    }

    /// Every date a row can carry, as text: `dates[maxAge + offset]` is `offset` days after the
    /// as-of date (from `maxAge` days before it to the latest due date).
    func dateTexts() -> [String] {
        (-SyntheticDocumentStream.maxAge...SyntheticDocumentStream.latestDue).map { parameters.asOf.adding(days: $0).description }
    }

    /// The width of the numbers of doc refs, which collections and remittances reuse.
    var documentRefWidth: Int { SyntheticRefs.width(for: parameters.documents, minimum: 10) }

    /// Draws and emits the documents.
    func emitDocuments(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        var stream = documentStream()
        let codes = SyntheticCurrency.table.map(\.code)
        let dates = dateTexts()
        let maxAge = SyntheticDocumentStream.maxAge
        let width = documentRefWidth
        var fields = [String](repeating: "", count: BundleFile.documents.columns.count)
        while let document = stream.next() {
            let exponent = stream.exponent(document.currency)
            fields[0] = SyntheticRefs.make(
                prefix: document.isCreditNote ? UInt8(ascii: "N") : UInt8(ascii: "I"), number: document.number, width: width)
            fields[1] = refs.clients[document.client]
            fields[2] = refs.debtors[document.debtor]
            fields[3] = document.isCreditNote ? "credit_note" : "invoice"
            fields[4] = codes[document.currency]
            fields[5] = Money.format(document.amount, exponent: exponent)
            fields[6] = Money.format(document.open, exponent: exponent)
            fields[7] = dates[maxAge - document.age]
            fields[8] = dates[maxAge + document.dueOffset]
            fields[9] = document.disputed ? "true" : "false"
            try sink.row(fields)
        }
    }
}
