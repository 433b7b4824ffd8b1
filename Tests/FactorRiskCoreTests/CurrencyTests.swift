import Testing
@testable import FactorRiskCore

@Suite("Currency")
struct CurrencyTests {
    @Test(
        "ISO 4217 minor digits of representative currencies",
        arguments: [
            ("EUR", 2), ("USD", 2), ("GBP", 2), ("CHF", 2), ("HUF", 2), ("SEK", 2), ("TRY", 2),
            ("JPY", 0), ("KRW", 0), ("ISK", 0), ("CLP", 0), ("VND", 0), ("XOF", 0), ("XAF", 0),
            ("KWD", 3), ("BHD", 3), ("TND", 3), ("JOD", 3), ("OMR", 3), ("IQD", 3), ("LYD", 3),
            ("CLF", 4), ("UYW", 4),
        ]
    )
    func exponents(code: String, exponent: Int) throws {
        let currency = try #require(Currency.iso(code))
        #expect(currency.code == code)
        #expect(currency.exponent == exponent)
    }

    @Test("unknown, lowercase, withdrawn and unit-less codes are not currencies")
    func unknownCodes() {
        for code in ["", "eur", "EURO", "XXX", "XAU", "XDR", "HRK", "DEM", "ABC"] {
            #expect(Currency.iso(code) == nil, "\(code)")
        }
    }

    @Test("all is sorted by code, unique, three uppercase letters, exponents 0...4")
    func all() {
        let all = Currency.all
        #expect(all.count > 150)
        #expect(all.map(\.code) == all.map(\.code).sorted())
        #expect(Set(all.map(\.code)).count == all.count)
        for currency in all {
            #expect(currency.code.utf8.count == 3 && currency.code.allSatisfy { $0.isASCII && $0.isUppercase })
            #expect((0...4).contains(currency.exponent))
            #expect(Currency.iso(currency.code) == currency)
        }
    }
}
