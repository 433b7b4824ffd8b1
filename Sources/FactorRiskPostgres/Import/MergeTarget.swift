import FactorRiskCore

/// Where the rows of a bundle file are merged: the tenant's table, and how other files refer to it.
///
/// The columns themselves come from `BundleFile.columns` (each column's `stored` name); this is
/// only what a file's description cannot say about PostgreSQL.
struct MergeTarget {
    /// The tenant's table.
    let table: String
    /// The id column a reference to one of its rows is stored as (clients: `client_id`), if any file refers to it.
    let idColumn: String?
    /// Whether a rewritten row's `updated_at` is set (the tables that keep one).
    let touch: Bool

    /// The target of `file`; nil for tenant.csv, which the import merges itself (it creates the tenant).
    static func of(_ file: BundleFile) -> MergeTarget? {
        switch file {
        case .tenant: nil
        case .countries: MergeTarget(table: "countries", idColumn: nil, touch: false)
        case .clients: MergeTarget(table: "clients", idColumn: "client_id", touch: true)
        case .debtors: MergeTarget(table: "debtors", idColumn: "debtor_id", touch: true)
        case .approvals: MergeTarget(table: "approvals", idColumn: nil, touch: true)
        case .fxRates: MergeTarget(table: "fx_rates", idColumn: nil, touch: false)
        case .documents: MergeTarget(table: "documents", idColumn: nil, touch: false)
        case .collections: MergeTarget(table: "collections", idColumn: nil, touch: false)
        case .remittances: MergeTarget(table: "remittances", idColumn: nil, touch: false)
        case .documentEvents: MergeTarget(table: "document_events", idColumn: nil, touch: false)
        case .limitChanges: MergeTarget(table: "limit_changes", idColumn: nil, touch: false)
        case .insurance: MergeTarget(table: "insurance", idColumn: nil, touch: false)
        }
    }
}
