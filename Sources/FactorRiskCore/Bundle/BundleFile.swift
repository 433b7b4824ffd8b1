/// The CSV files of a portfolio bundle (FORMATS.md): their columns, keys and load order.
///
/// One definition serves the importer, which checks headers and rows against it and stages and
/// merges by it, the API's document writes, and the synthetic portfolio generator, which writes
/// the files: the names are a contract with the factor's tools. Adding a file is adding a case
/// here, its merge target (Postgres) and any checks across its columns (`BundleRowValidator`).
public enum BundleFile: String, CaseIterable, Sendable {
    case tenant
    case countries
    case clients
    case debtors
    case approvals
    case documents
    case fxRates
    case collections
    case remittances
    case documentEvents
    case limitChanges
    case insurance

    /// The file name inside a bundle folder.
    public var fileName: String {
        switch self {
        case .fxRates: "fx_rates.csv"
        case .documentEvents: "document_events.csv"
        case .limitChanges: "limit_changes.csv"
        default: "\(rawValue).csv"
        }
    }

    /// Every column of the file, in header order: the one description of it that the header check,
    /// the row checks, the staging table and the merge are derived from.
    public var columns: [BundleColumn] {
        switch self {
        case .tenant:
            [.init("tenant_ref", .tenantRef), .init("name", .name), .init("base_currency", .currency),
             .init("home_country", .country), .init("own_funds", .money(.base))]
        case .countries:
            [.init("country", .country), .init("grade", .integer(0...7)), .init("embargoed", .boolean),
             .init("limit", .money(.base), optional: true, stored: "explicit_limit")]
        case .clients:
            [.init("client_ref", .reference(to: nil)), .init("name", .name), .init("country", .country),
             .init("mode", .oneOf(["notified", "delegated", "confidential"])), .init("annual_revenue", .money(.base)),
             .init("financial_grade", .integer(1...10)), .init("holdback_bp", .integer(0...10_000)),
             .init("funding_limit", .money(.base)), .init("funded_balance", .money(.base)),
             .init("group_ref", .reference(to: nil), optional: true)]
        case .debtors:
            [.init("debtor_ref", .reference(to: nil)), .init("name", .name), .init("country", .country),
             .init("group_ref", .reference(to: nil), optional: true), .init("credit_limit", .money(.base))]
        case .approvals:
            [.init("client_ref", .reference(to: .clients)), .init("debtor_ref", .reference(to: .debtors)),
             .init("approved", .money(.base))]
        case .documents:
            [.init("doc_ref", .reference(to: nil)), .init("client_ref", .reference(to: .clients)),
             .init("debtor_ref", .reference(to: .debtors)), .init("kind", .oneOf(["invoice", "credit_note"])),
             .init("currency", .currency), .init("amount", .money(.column("currency"))),
             .init("open_amount", .money(.column("currency"))), .init("issue_date", .date), .init("due_date", .date),
             .init("disputed", .boolean)]
        case .fxRates:
            [.init("currency", .currency), .init("as_of", .date), .init("rate", .rate)]
        case .collections:
            [.init("collection_ref", .reference(to: nil)), .init("doc_ref", .reference(to: .documents)),
             .init("collected_on", .date), .init("amount", .money(.document("doc_ref")))]
        case .remittances:
            [.init("remittance_ref", .reference(to: nil)), .init("client_ref", .reference(to: .clients)),
             .init("received_on", .date), .init("currency", .currency), .init("amount", .money(.column("currency")))]
        case .documentEvents:
            [.init("doc_ref", .reference(to: .documents)), .init("event", .oneOf(["deposited", "refused", "paid"])),
             .init("event_date", .date)]
        case .limitChanges:
            [.init("change_ref", .reference(to: nil)), .init("debtor_ref", .reference(to: .debtors)),
             .init("client_ref", .reference(to: .clients), optional: true), .init("new_limit", .money(.base)),
             .init("announced_on", .date), .init("effective_on", .date)]
        case .insurance:
            [.init("debtor_ref", .reference(to: .debtors)), .init("insurer", .name), .init("insured_limit", .money(.base)),
             .init("cover_bp", .integer(0...10_000)), .init("valid_from", .date), .init("valid_to", .date, optional: true)]
        }
    }

    /// The header row, in order: the columns' names.
    public var header: [String] { columns.map(\.name) }

    /// Where column `name` sits in `columns`.
    public func index(of name: String) -> Int? { columns.firstIndex { $0.name == name } }

    /// The column other files name one of this file's rows by: its key, when that is one column.
    public var referenceKey: BundleColumn? { key.count == 1 ? index(of: key[0]).map { columns[$0] } : nil }

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
        case .collections: ["collection_ref"]
        case .remittances: ["remittance_ref"]
        case .documentEvents: ["doc_ref", "event"]
        case .limitChanges: ["change_ref"]
        case .insurance: ["debtor_ref"]
        }
    }

    /// The order files are loaded in, so that every reference points at something already loaded.
    public static let loadOrder: [BundleFile] = [
        .tenant, .countries, .clients, .debtors, .approvals, .fxRates, .documents, .collections, .remittances, .documentEvents,
        .limitChanges, .insurance,
    ]

    /// The policy overrides file of a bundle (JSON, not CSV).
    public static let policyFileName = "policy.json"
}
