/// A currency as ISO 4217 defines it: its three-letter code and how many minor digits it has.
///
/// Money is stored as integer minor units, so the exponent is what turns `1234.56` EUR into
/// 123456 and back; getting it wrong for one currency (JPY 0, KWD 3) silently scales every amount
/// in it by 100 or 1000. The exponents therefore come from one table here, never from user input.
public struct Currency: Sendable, Hashable {
    /// The ISO 4217 alphabetic code, three uppercase ASCII letters (`EUR`).
    public let code: String
    /// The number of minor digits: 2 for EUR (cents), 0 for JPY, 3 for KWD, 4 for CLF.
    public let exponent: Int

    /// Creates a currency from a code and an exponent the caller vouches for.
    ///
    /// Internal so that the only currencies the rest of the service sees are the ones of the table.
    init(code: String, exponent: Int) {
        self.code = code
        self.exponent = exponent
    }

    /// The currency with this ISO 4217 code, or nil when the code is not an active currency.
    ///
    /// Case-sensitive: FORMATS.md and ISO spell codes in uppercase, and a lowercase code in an
    /// extract is more likely a mistake to report than a spelling to accept.
    public static func iso(_ code: String) -> Currency? {
        guard let exponent = exponents[code] else { return nil }
        return Currency(code: code, exponent: exponent)
    }

    /// The exponent of the currency whose code is these UTF-8 bytes, or nil (as `iso`, without
    /// making a string: a table indexed by the three letters).
    public static func exponent(ofCode bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        guard bytes.count == 3 else { return nil }
        var index = 0
        for byte in bytes {
            guard byte >= UInt8(ascii: "A"), byte <= UInt8(ascii: "Z") else { return nil }
            index = index * 26 + Int(byte - UInt8(ascii: "A"))
        }
        let exponent = exponentsByLetters[index]
        return exponent < 0 ? nil : Int(exponent)
    }

    /// `exponents` as an array indexed by the code's letters in base 26, -1 where no currency is.
    private static let exponentsByLetters: [Int8] = {
        var table = [Int8](repeating: -1, count: 26 * 26 * 26)
        for (code, exponent) in exponents {
            let index = code.utf8.reduce(0) { $0 * 26 + Int($1 - UInt8(ascii: "A")) }
            table[index] = Int8(exponent)
        }
        return table
    }()

    /// Every currency of the table, sorted by code: the seed of the database's currency table.
    public static var all: [Currency] {
        exponents.map { Currency(code: $0.key, exponent: $0.value) }.sorted { $0.code < $1.code }
    }

    /// The active currencies of ISO 4217 (List One, as published in 2025) with their minor digits.
    ///
    /// Included: fund codes (BOV, CHE, CHW, CLF, COU, MXV, USN, UYI, UYW), since a ledger may hold
    /// them, and codes still in their transition period next to their successors (ANG/XCG, SLL/SLE,
    /// VES/VED, CUC, BGN), since old invoices keep their currency. Left out: precious metals, the
    /// bond-market units, XDR, XSU, XUA, XTS and XXX, which ISO gives no minor unit ("N.A."), and
    /// withdrawn codes (HRK, ZWL, ...). Every code not listed under 0, 3 or 4 has 2 minor digits.
    private static let exponents: [String: Int] = {
        var table: [String: Int] = [:]
        let zero = "BIF CLP DJF GNF ISK JPY KMF KRW PYG RWF UGX UYI VND VUV XAF XOF XPF"
        let three = "BHD IQD JOD KWD LYD OMR TND"
        let four = "CLF UYW"
        let two = """
            AED AFN ALL AMD ANG AOA ARS AUD AWG AZN BAM BBD BDT BGN BMD BND BOB BOV BRL BSD BTN BWP \
            BYN BZD CAD CDF CHE CHF CHW CNY COP COU CRC CUC CUP CVE CZK DKK DOP DZD EGP ERN ETB EUR \
            FJD FKP GBP GEL GHS GIP GMD GTQ GYD HKD HNL HTG HUF IDR ILS INR IRR JMD KES KGS KHR KPW \
            KYD KZT LAK LBP LKR LRD LSL MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MXV MYR MZN \
            NAD NGN NIO NOK NPR NZD PAB PEN PGK PHP PKR PLN QAR RON RSD RUB SAR SBD SCR SDG SEK SGD \
            SHP SLE SLL SOS SRD SSP STN SVC SYP SZL THB TJS TMT TOP TRY TTD TWD TZS UAH USD USN UYU \
            UZS VED VES WST XCD XCG YER ZAR ZMW ZWG
            """
        for (codes, exponent) in [(zero, 0), (two, 2), (three, 3), (four, 4)] {
            for code in codes.split(separator: " ") {
                let previous = table.updateValue(exponent, forKey: String(code))
                assert(previous == nil, "\(code) is listed twice")
            }
        }
        return table
    }()
}
