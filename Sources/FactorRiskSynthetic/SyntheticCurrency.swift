import FactorRiskCore

/// The currencies the synthetic portfolio invoices in, with a plausible starting rate against EUR.
///
/// A realistic ledger of a French factor is mostly EUR with export invoices in the debtor's money;
/// the table covers the three minor-unit sizes the formats must get right (JPY 0, most 2,
/// KWD and TND 3) and one currency, NOK, that is used but given no rate, the data-quality case
/// RULEBOOK §4 lists under `missing_fx`.
struct SyntheticCurrency: Sendable {
    /// ISO 4217 code.
    let code: String
    /// The starting rate (EUR for one unit) as `mantissa / 10^scale`, 4 to 6 decimals.
    let rateMantissa: Int64
    let rateScale: Int
    /// The largest daily move of the rate's random walk, in basis points.
    let dailyMoveBP: Int
    /// Whether `fx_rates.csv` lists the currency.
    let hasRates: Bool

    /// The starting rate as a `Double`, only to size sampled amounts (never stored).
    var approximateRate: Double {
        var divisor = 1.0
        for _ in 0..<rateScale { divisor *= 10 }
        return Double(rateMantissa) / divisor
    }

    /// Index 0 is the base currency.
    static let table: [SyntheticCurrency] = [
        SyntheticCurrency(code: "EUR", rateMantissa: 1, rateScale: 0, dailyMoveBP: 0, hasRates: false),
        SyntheticCurrency(code: "USD", rateMantissa: 9_213, rateScale: 4, dailyMoveBP: 40, hasRates: true),
        SyntheticCurrency(code: "GBP", rateMantissa: 11_650, rateScale: 4, dailyMoveBP: 30, hasRates: true),
        SyntheticCurrency(code: "CHF", rateMantissa: 10_480, rateScale: 4, dailyMoveBP: 30, hasRates: true),
        SyntheticCurrency(code: "SEK", rateMantissa: 87_420, rateScale: 6, dailyMoveBP: 35, hasRates: true),
        SyntheticCurrency(code: "DKK", rateMantissa: 134_060, rateScale: 6, dailyMoveBP: 2, hasRates: true),
        SyntheticCurrency(code: "PLN", rateMantissa: 2_310, rateScale: 4, dailyMoveBP: 40, hasRates: true),
        SyntheticCurrency(code: "CZK", rateMantissa: 39_800, rateScale: 6, dailyMoveBP: 30, hasRates: true),
        SyntheticCurrency(code: "CAD", rateMantissa: 6_640, rateScale: 4, dailyMoveBP: 40, hasRates: true),
        SyntheticCurrency(code: "JPY", rateMantissa: 6_120, rateScale: 6, dailyMoveBP: 50, hasRates: true),
        SyntheticCurrency(code: "TRY", rateMantissa: 26_200, rateScale: 6, dailyMoveBP: 80, hasRates: true),
        SyntheticCurrency(code: "KWD", rateMantissa: 29_900, rateScale: 4, dailyMoveBP: 25, hasRates: true),
        SyntheticCurrency(code: "TND", rateMantissa: 2_950, rateScale: 4, dailyMoveBP: 30, hasRates: true),
        SyntheticCurrency(code: "NOK", rateMantissa: 86_100, rateScale: 6, dailyMoveBP: 35, hasRates: false),
    ]

    /// The index in `table` of `code`; a code missing from the table is a programming error.
    static func index(of code: String) -> Int {
        guard let index = table.firstIndex(where: { $0.code == code }) else {
            preconditionFailure("\(code) is not in the synthetic currency table")
        }
        return index
    }
}
