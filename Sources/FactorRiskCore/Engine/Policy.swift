/// The policy parameters of RULEBOOK.md §5, per tenant, with the rulebook's defaults.
public struct Policy: Sendable, Equatable {
    public var maxDaysFromInvoice = 90
    public var maxDaysPastDue = 60
    public var crossAgeBP: Int64 = 5000
    public var coverDomesticBP: Int64 = 10_000
    public var coverForeignBP: Int64 = 9000
    public var concentrationCapBP: [ClientMode: Int64] = [.notified: 3000, .delegated: 2500, .confidential: 2000]
    public var weightBP: [ClientMode: Int64] = [.notified: 10_000, .delegated: 12_500, .confidential: 15_000]
    /// Country limit as a share of the portfolio, by grade 0 to 7.
    public var countryCapBP: [Int64] = [10_000, 10_000, 2500, 2000, 1500, 1000, 500, 250]
    public var defaultCountryGrade = 7
    public var largeExposureReportBP: Int64 = 1000
    public var largeExposureLimitBP: Int64 = 2500
    public var utilizationWarnBP: Int64 = 8000
    /// In base minor units; nil means 15,000,000 units of the base currency (the §5 default).
    public var confidentialMinRevenue: Int64?
    public var confidentialMaxGrade = 5
    /// Days a client has to pass on what it collected, and to mark a paid invoice in its ledger (§8.2, §4.1).
    public var remittanceDays = 2
    /// Days after issue by which an invoice must be deposited on the e-invoicing platform; nil turns
    /// rule 3 of §4.1 (undeposited) off.
    public var depositDays: Int?
    /// Documents issued in the last this many days measure dilution (§8.1).
    public var dilutionWindowDays = 90
    /// Dilution up to this is priced in; above it, a reserve (§8.1).
    public var dilutionAllowanceBP: Int64 = 500
    /// Dilution at or above this raises DILUTION_HIGH.
    public var dilutionWarnBP: Int64 = 1000
    /// Same client, debtor, currency and amount issued this close: duplicate suspects (§8.3).
    public var duplicateDays = 3
    /// The invoices of the last this many days are checked for round amounts (§8.3).
    public var roundWindowDays = 30
    /// A round amount is a whole multiple of this many units of its currency.
    public var roundUnit: Int64 = 1000
    /// With at least this many invoices in the window, a round share at or above `roundWarnBP` raises ROUND_AMOUNTS.
    public var roundMinInvoices = 10
    public var roundWarnBP: Int64 = 3000
    /// A debtor first invoiced less than this many days ago is new (§8.3).
    public var newDebtorDays = 60
    /// New debtors above this share of eligible raise NEW_DEBTOR_CONCENTRATION.
    public var newDebtorWarnBP: Int64 = 2500
    /// A debtor's weighted days past due at or above this raises DEBTOR_SLOW_PAYER (§8.4).
    public var slowPayerDays = 30
    /// A credit-insurance policy ending within this many days raises INSURANCE_EXPIRING (§9.3).
    public var insuranceNoticeDays = 30
    /// A limit cut decided through the API takes effect at least this many days after it is
    /// announced, unless an admin marks it urgent; 0 turns the rule off.
    public var limitNoticeDays = 0

    public init() {}

    /// `confidential_min_revenue` in minor units of a base currency with `exponent` minor digits.
    public func confidentialMinRevenue(baseExponent exponent: Int) -> Int64 {
        confidentialMinRevenue ?? 15_000_000 * Self.powerOfTen(exponent)
    }

    static func powerOfTen(_ exponent: Int) -> Int64 {
        var value: Int64 = 1
        for _ in 0..<exponent { value *= 10 }
        return value
    }
}

/// How a client runs the relationship with its debtors (RULEBOOK.md §1).
public enum ClientMode: String, Sendable, CaseIterable, Codable {
    case notified, delegated, confidential
}

/// Why an invoice is not eligible, or that it is (RULEBOOK.md §4.1, §4.2).
public enum InvoiceClass: String, Sendable, CaseIterable {
    case paid, disputed, undeposited, aged, affiliate, embargo, unapproved, crossAged = "cross_aged", eligible

    /// The reasons of ineligibility, in the order reports list them (the order the rules apply).
    public static let reasons: [InvoiceClass] = [.paid, .disputed, .undeposited, .aged, .affiliate, .embargo, .unapproved, .crossAged]
}
