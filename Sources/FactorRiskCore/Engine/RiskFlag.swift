/// The flags of RULEBOOK.md §6, in the order of its table (which is the order they are listed in).
public enum RiskFlag: String, Sendable, CaseIterable, Comparable, Codable {
    case debtorLimitWarn = "DEBTOR_LIMIT_WARN"
    case debtorLimitBreach = "DEBTOR_LIMIT_BREACH"
    case debtorOverAllocated = "DEBTOR_OVER_ALLOCATED"
    case debtorSlowPayer = "DEBTOR_SLOW_PAYER"
    case largeExposure = "LARGE_EXPOSURE"
    case largeExposureBreach = "LARGE_EXPOSURE_BREACH"
    case countryLimitWarn = "COUNTRY_LIMIT_WARN"
    case countryLimitBreach = "COUNTRY_LIMIT_BREACH"
    case embargoExposure = "EMBARGO_EXPOSURE"
    case confidentialMode = "CONFIDENTIAL_MODE"
    case delegatedCollection = "DELEGATED_COLLECTION"
    case confidentialBelowRevenue = "CONFIDENTIAL_BELOW_REVENUE"
    case confidentialWeakFinancials = "CONFIDENTIAL_WEAK_FINANCIALS"
    case concentrationExcess = "CONCENTRATION_EXCESS"
    case crossAged = "CROSS_AGED"
    case overAdvance = "OVER_ADVANCE"
    case dilutionHigh = "DILUTION_HIGH"
    case unremittedCollections = "UNREMITTED_COLLECTIONS"
    case paidStillOpen = "PAID_STILL_OPEN"
    case duplicateSuspect = "DUPLICATE_SUSPECT"
    case roundAmounts = "ROUND_AMOUNTS"
    case newDebtorConcentration = "NEW_DEBTOR_CONCENTRATION"

    /// How serious a flag is: a breach is a failure of the portfolio to meet its limits.
    public enum Level: String, Sendable { case info, warning, breach }

    public var level: Level {
        switch self {
        case .debtorLimitBreach, .largeExposureBreach, .countryLimitBreach, .embargoExposure, .overAdvance, .unremittedCollections,
             .paidStillOpen: .breach
        case .largeExposure, .delegatedCollection: .info
        default: .warning
        }
    }

    /// The table order of §6.
    public static func < (a: RiskFlag, b: RiskFlag) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
