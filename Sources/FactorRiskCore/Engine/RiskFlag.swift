/// The flags of RULEBOOK.md §6, in the order of its table (which is the order they are listed in).
public enum RiskFlag: String, Sendable, CaseIterable, Comparable, Codable {
    case debtorLimitWarn = "DEBTOR_LIMIT_WARN"
    case debtorLimitBreach = "DEBTOR_LIMIT_BREACH"
    case debtorOverAllocated = "DEBTOR_OVER_ALLOCATED"
    case debtorSlowPayer = "DEBTOR_SLOW_PAYER"
    case limitCutPending = "LIMIT_CUT_PENDING"
    case uninsuredExposure = "UNINSURED_EXPOSURE"
    case insuranceExpiring = "INSURANCE_EXPIRING"
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
    case approvalCutPending = "APPROVAL_CUT_PENDING"

    /// How serious a flag is: a breach is a failure of the portfolio to meet its limits.
    public enum Level: String, Sendable { case info, warning, breach }

    public var level: Level {
        switch self {
        case .debtorLimitBreach, .largeExposureBreach, .countryLimitBreach, .embargoExposure, .overAdvance, .unremittedCollections,
             .paidStillOpen: .breach
        case .largeExposure, .delegatedCollection, .insuranceExpiring: .info
        default: .warning
        }
    }

    /// The level of row the flag is raised on.
    public var subject: String {
        switch self {
        case .debtorLimitWarn, .debtorLimitBreach, .debtorOverAllocated, .debtorSlowPayer, .limitCutPending, .uninsuredExposure,
             .insuranceExpiring: "debtor"
        case .largeExposure, .largeExposureBreach: "group"
        case .countryLimitWarn, .countryLimitBreach, .embargoExposure: "country"
        default: "client"
        }
    }

    /// When the flag is raised (RULEBOOK.md §6), as the OpenAPI document says it.
    public var summary: String {
        switch self {
        case .debtorLimitWarn: "utilization of the credit limit has reached the warning level but the limit is not exceeded"
        case .debtorLimitBreach: "guaranteed exceeds the credit limit"
        case .debtorOverAllocated: "the approvals on the debtor add up to more than its credit limit"
        case .debtorSlowPayer: "the debtor's days past due have reached the slow-payer level while guaranteed is above zero"
        case .limitCutPending: "a pending cut of the credit limit will leave it below the debtor's guaranteed amount"
        case .uninsuredExposure: "the debtor's credit insurance is in force and covered exceeds its insured limit"
        case .insuranceExpiring: "the debtor's credit insurance ends within the notice days while covered is above zero"
        case .largeExposure: "guaranteed has reached the reporting share of own funds but not the limit"
        case .largeExposureBreach: "guaranteed exceeds the large-exposure limit"
        case .countryLimitWarn: "utilization of the country limit has reached the warning level but the limit is not exceeded"
        case .countryLimitBreach: "guaranteed exceeds the country limit"
        case .embargoExposure: "the country is embargoed and gross is above zero"
        case .confidentialMode: "the client is in confidential mode"
        case .delegatedCollection: "the client is in delegated mode"
        case .confidentialBelowRevenue: "a confidential client's annual revenue is below the policy minimum"
        case .confidentialWeakFinancials: "a confidential client's financial grade is worse than the policy allows"
        case .concentrationExcess: "concentration_excess is above zero"
        case .crossAged: "at least one of the client's pairs is cross-aged"
        case .overAdvance: "availability is negative"
        case .dilutionHigh: "dilution_bp has reached the dilution warning level"
        case .unremittedCollections: "the client holds collected cash past the remittance days (unremitted is above zero)"
        case .paidStillOpen: "invoices the e-invoicing platform reported paid are still open in the client's ledger"
        case .duplicateSuspect: "the client has open invoices with a twin issued within the duplicate window"
        case .roundAmounts: "enough of the client's recent invoices are round amounts to reach the warning share"
        case .newDebtorConcentration: "new debtors hold more than the warning share of the client's eligible amount"
        case .approvalCutPending: "pending cuts of the client's approvals will reduce its guaranteed amount"
        }
    }

    /// The table order of §6.
    public static func < (a: RiskFlag, b: RiskFlag) -> Bool {
        allCases.firstIndex(of: a)! < allCases.firstIndex(of: b)!
    }
}
