/// What RULEBOOK.md §8 measures of a client beside its pairs: the sums of its dilution window, its
/// cash, its ledger patterns and its payment behaviour, as of one date, in base minor units.
///
/// The reference engine makes them from the documents, collections and remittances in memory; the
/// production engine and the live answers make them in SQL. `LevelRules.client` turns them, with
/// the client's pairs, into the client's row, so that every engine applies the same rules to them.
public struct ClientActivity: Sendable, Equatable {
    /// §8.1: full amounts of the invoices and of the credit notes issued in the dilution window.
    public var invoicedWindow: Int64 = 0
    public var creditedWindow: Int64 = 0
    /// §8.2: collections dated on or before the date, and those dated `remittance_days` earlier or more.
    public var collected: Int64 = 0
    public var collectedDue: Int64 = 0
    /// §8.2: remittances received on or before the date.
    public var remitted: Int64 = 0
    /// §8.2: days since the oldest collection that remittances do not cover; nil when they cover all.
    public var unremittedDays: Int64?
    /// §8.3: open invoices with a twin, invoices of the round window, and how many of those are round.
    public var duplicateSuspects = 0
    public var roundInvoices = 0
    public var roundAmountInvoices = 0
    /// §8.4: the client's weighted days past due; nil when nothing is owed.
    public var pastDueDays: Int64?

    public init() {}
}
