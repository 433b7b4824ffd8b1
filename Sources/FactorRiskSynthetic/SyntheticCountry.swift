/// The countries of the synthetic portfolio: France, its trading partners and a few riskier
/// markets, with an OECD-style grade 0–7, exactly one embargoed, and where debtors invoice.
///
/// Weights follow the shape of French export trade (the EU first, then the UK, the US,
/// Switzerland, the Maghreb), so country limits and the grade-based caps of RULEBOOK §4.7 meet a
/// realistic spread rather than a uniform one.
struct SyntheticCountry: Sendable {
    /// ISO 3166 alpha-2.
    let code: String
    /// Country risk grade, 0 (best) to 7.
    let grade: Int
    /// Trade with it is forbidden (a few debtors are there anyway: the case the embargo rule is for).
    let embargoed: Bool
    /// Relative share of the foreign debtors located there (the embargoed one gets a fixed quota).
    let debtorWeight: Double
    /// The non-EUR currency its debtors are often invoiced in, nil for EUR only.
    let currency: String?
    /// The chance a document of one of its debtors is in `currency`.
    let localShare: Double
    /// The legal forms company names end with.
    let legalForms: [String]
    /// An explicit country limit, in thousandths of the expected open ledger; nil for none.
    let explicitLimitPermille: Int?

    init(
        _ code: String, grade: Int, weight: Double, currency: String? = nil, localShare: Double = 0.6,
        forms: [String], embargoed: Bool = false, limitPermille: Int? = nil
    ) {
        self.code = code
        self.grade = grade
        self.embargoed = embargoed
        self.debtorWeight = weight
        self.currency = currency
        self.localShare = localShare
        self.legalForms = forms
        self.explicitLimitPermille = limitPermille
    }

    /// Index 0 is the home country, France.
    static let table: [SyntheticCountry] = [
        SyntheticCountry("FR", grade: 0, weight: 0, forms: ["SAS", "SARL", "SA", "SASU", "EURL"]),
        SyntheticCountry("DE", grade: 0, weight: 14, forms: ["GmbH", "AG", "KG"]),
        SyntheticCountry("BE", grade: 0, weight: 10, forms: ["SA", "SRL", "NV", "BV"]),
        SyntheticCountry("IT", grade: 1, weight: 9, forms: ["S.p.A.", "S.r.l."]),
        SyntheticCountry("ES", grade: 1, weight: 8, forms: ["S.A.", "S.L."]),
        SyntheticCountry("NL", grade: 0, weight: 6, forms: ["B.V.", "N.V."]),
        SyntheticCountry("GB", grade: 0, weight: 7, currency: "GBP", forms: ["Ltd", "PLC"]),
        SyntheticCountry("US", grade: 0, weight: 7, currency: "USD", localShare: 0.7, forms: ["Inc.", "LLC", "Corp."]),
        SyntheticCountry("CH", grade: 0, weight: 5, currency: "CHF", forms: ["AG", "SA", "GmbH"]),
        SyntheticCountry("LU", grade: 0, weight: 2, forms: ["S.A.", "S.à r.l."]),
        SyntheticCountry("PT", grade: 2, weight: 3, forms: ["Lda", "S.A."]),
        SyntheticCountry("AT", grade: 0, weight: 2, forms: ["GmbH", "AG"]),
        SyntheticCountry("IE", grade: 0, weight: 1.5, forms: ["Ltd", "DAC"]),
        SyntheticCountry("SE", grade: 0, weight: 1.5, currency: "SEK", forms: ["AB"]),
        SyntheticCountry("DK", grade: 0, weight: 1, currency: "DKK", forms: ["A/S", "ApS"]),
        SyntheticCountry("NO", grade: 0, weight: 0.8, currency: "NOK", localShare: 0.04, forms: ["AS", "ASA"]),
        SyntheticCountry("FI", grade: 0, weight: 0.8, forms: ["Oy", "Oyj"]),
        SyntheticCountry("PL", grade: 2, weight: 3, currency: "PLN", forms: ["Sp. z o.o.", "S.A."]),
        SyntheticCountry("CZ", grade: 1, weight: 1.5, currency: "CZK", localShare: 0.4, forms: ["s.r.o.", "a.s."]),
        SyntheticCountry("SK", grade: 2, weight: 0.6, forms: ["s.r.o."]),
        SyntheticCountry("HU", grade: 3, weight: 0.8, forms: ["Kft.", "Zrt."]),
        SyntheticCountry("RO", grade: 3, weight: 1, forms: ["S.R.L.", "S.A."]),
        SyntheticCountry("GR", grade: 3, weight: 0.8, forms: ["A.E.", "E.P.E."]),
        SyntheticCountry("CA", grade: 0, weight: 1.5, currency: "CAD", forms: ["Inc.", "Ltd"]),
        SyntheticCountry("JP", grade: 0, weight: 1, currency: "JPY", localShare: 0.7, forms: ["K.K.", "G.K."]),
        SyntheticCountry("CN", grade: 2, weight: 2, currency: "USD", localShare: 0.5, forms: ["Co. Ltd"], limitPermille: 15),
        SyntheticCountry("MA", grade: 3, weight: 2.5, forms: ["S.A.R.L.", "S.A."]),
        SyntheticCountry("TN", grade: 5, weight: 1.5, currency: "TND", localShare: 0.4, forms: ["S.A.R.L.", "S.A."]),
        SyntheticCountry("DZ", grade: 5, weight: 1, forms: ["SARL", "SPA", "EURL"]),
        SyntheticCountry("TR", grade: 4, weight: 1.5, currency: "TRY", localShare: 0.4, forms: ["A.Ş.", "Ltd. Şti."], limitPermille: 8),
        SyntheticCountry("AE", grade: 2, weight: 1, currency: "USD", localShare: 0.6, forms: ["LLC", "FZE"]),
        SyntheticCountry("SA", grade: 2, weight: 0.5, currency: "USD", localShare: 0.6, forms: ["LLC"]),
        SyntheticCountry("KW", grade: 2, weight: 0.4, currency: "KWD", localShare: 0.6, forms: ["K.S.C.", "W.L.L."]),
        SyntheticCountry("IL", grade: 2, weight: 0.5, currency: "USD", localShare: 0.5, forms: ["Ltd"]),
        SyntheticCountry("IN", grade: 3, weight: 0.8, currency: "USD", localShare: 0.5, forms: ["Pvt Ltd", "Ltd"]),
        SyntheticCountry("BR", grade: 5, weight: 0.6, currency: "USD", localShare: 0.5, forms: ["Ltda", "S.A."]),
        SyntheticCountry("MX", grade: 3, weight: 0.5, currency: "USD", localShare: 0.5, forms: ["S.A. de C.V."]),
        SyntheticCountry("SN", grade: 6, weight: 0.5, forms: ["SARL", "SA"]),
        SyntheticCountry("CI", grade: 5, weight: 0.5, forms: ["SARL", "SA"]),
        SyntheticCountry("RU", grade: 7, weight: 0, forms: ["OOO", "AO"], embargoed: true),
    ]

    /// The index of France, the tenant's home country.
    static let home = 0
    /// The index of the one embargoed country.
    static let embargoedIndex: Int = {
        let indices = table.indices.filter { table[$0].embargoed }
        precondition(indices.count == 1, "the synthetic table must have exactly one embargoed country")
        return indices[0]
    }()

    /// The countries clients are based in: nearly all French, a few neighbours (index, weight).
    static let clientCountries: [(index: Int, weight: Double)] = [
        (0, 94), (2, 2), (9, 1), (1, 1), (4, 1), (3, 1),
    ]
}
