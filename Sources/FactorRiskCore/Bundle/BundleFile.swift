/// The CSV files of a portfolio bundle (FORMATS.md), their exact column names and their keys.
///
/// One definition serves the importer, which checks headers against it, and the synthetic
/// portfolio generator, which writes them: the names are a contract with the factor's tools.
public enum BundleFile: String, CaseIterable, Sendable {
    case tenant
    case countries
    case clients
    case debtors
    case approvals
    case documents
    case fxRates

    /// The file name inside a bundle folder.
    public var fileName: String {
        switch self {
        case .fxRates: "fx_rates.csv"
        default: "\(rawValue).csv"
        }
    }

    /// The header row, in order.
    public var columns: [String] {
        switch self {
        case .tenant: ["tenant_ref", "name", "base_currency", "home_country", "own_funds"]
        case .countries: ["country", "grade", "embargoed", "limit"]
        case .clients:
            ["client_ref", "name", "country", "mode", "annual_revenue", "financial_grade", "holdback_bp",
             "funding_limit", "funded_balance", "group_ref"]
        case .debtors: ["debtor_ref", "name", "country", "group_ref", "credit_limit"]
        case .approvals: ["client_ref", "debtor_ref", "approved"]
        case .documents:
            ["doc_ref", "client_ref", "debtor_ref", "kind", "currency", "amount", "open_amount", "issue_date",
             "due_date", "disputed"]
        case .fxRates: ["currency", "as_of", "rate"]
        }
    }

    /// The columns that identify a row (a row is an upsert by them).
    public var key: [String] {
        switch self {
        case .tenant: ["tenant_ref"]
        case .countries: ["country"]
        case .clients: ["client_ref"]
        case .debtors: ["debtor_ref"]
        case .approvals: ["client_ref", "debtor_ref"]
        case .documents: ["doc_ref"]
        case .fxRates: ["currency", "as_of"]
        }
    }

    /// The order files are loaded in, so that every reference points at something already loaded.
    public static let loadOrder: [BundleFile] = [.tenant, .countries, .clients, .debtors, .approvals, .fxRates, .documents]

    /// The policy overrides file of a bundle (JSON, not CSV).
    public static let policyFileName = "policy.json"
}
