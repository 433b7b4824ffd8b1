/// One drawn row of `documents.csv`, before formatting: indexes into the world's tables, amounts
/// in the currency's minor units, dates as days before the as-of date.
///
/// The collections, remittances and events of a document are drawn from these values, so the
/// generator draws the document stream again for each of those files instead of keeping ten
/// million documents in memory (`SyntheticDocumentStream`).
struct SyntheticDocument: Sendable {
    /// 1-based position in `documents.csv`; gives the doc_ref and seeds the document's lifecycle.
    var number: Int
    var client: Int
    var debtor: Int
    var isCreditNote: Bool
    /// Index into `SyntheticCurrency.table`.
    var currency: Int
    var amount: Int64
    var open: Int64
    /// Days from the issue date to the as-of date (0 = issued on it).
    var age: Int
    /// The due date in days from the as-of date (negative: past due).
    var dueOffset: Int
    var disputed: Bool
}
