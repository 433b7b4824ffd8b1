/// The ways a synthetic client departs from a healthy book, drawn once per client.
///
/// A demo or a benchmark must show every rule of RULEBOOK §8 firing, yet on a handful of clients,
/// as a real book does: a portfolio where every second client breaches teaches an analyst nothing.
/// Each behaviour is given to a fixed share of the clients (`SyntheticWorld.behaviourShares`), so
/// the rates are the same at every size.
struct SyntheticBehaviour: OptionSet, Sendable {
    let rawValue: UInt8

    /// Stops passing on what it collects some days before the as-of date (UNREMITTED_COLLECTIONS);
    /// only a client that collects (delegated or confidential) holds cash.
    static let holdsCash = SyntheticBehaviour(rawValue: 1 << 0)
    /// Leaves some invoices open that the e-invoicing platform reports paid (PAID_STILL_OPEN).
    static let paidStillOpen = SyntheticBehaviour(rawValue: 1 << 1)
    /// Now and then issues the same invoice twice within a few days (DUPLICATE_SUSPECT).
    static let duplicates = SyntheticBehaviour(rawValue: 1 << 2)
    /// Invoices mostly in whole thousands (ROUND_AMOUNTS).
    static let roundAmounts = SyntheticBehaviour(rawValue: 1 << 3)
    /// Issues many and larger credit notes: dilution well above the 5 % allowance.
    static let dilutes = SyntheticBehaviour(rawValue: 1 << 4)
    /// Lodges some invoices on no e-invoicing platform (undeposited when `deposit_days` is set).
    static let skipsDeposit = SyntheticBehaviour(rawValue: 1 << 5)
}
