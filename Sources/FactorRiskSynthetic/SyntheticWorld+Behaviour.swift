/// Which clients misbehave, and how (RULEBOOK §8): a few of each kind, never most of the book.
extension SyntheticWorld {
    /// Of the clients that collect (delegated and confidential), those holding cash past the
    /// remittance delay on the as-of date: 3 %, so 2 to 5 % at every size but the tiniest.
    static let cashHolderShare = 0.03
    /// Of all clients: those leaving paid invoices open (1 %), issuing duplicates, invoicing round
    /// amounts, lodging some invoices on no platform (2 % each), and diluting (10 %).
    static let paidStillOpenShare = 0.01
    static let duplicatingShare = 0.02
    static let roundAmountShare = 0.02
    static let skipsDepositShare = 0.02
    static let dilutingShare = 0.10

    /// Gives each behaviour to its share of the clients, at least one where there is one to give
    /// it to (dilution: rounded, as it is common), from a stream of its own so the rest of the
    /// world does not move when a share does.
    static func drawBehaviours(_ clients: inout [Client], seed: UInt64) {
        var rng = SplitMix64.stream(7, of: seed)
        let everyone = Array(clients.indices)
        let collecting = everyone.filter { clients[$0].collects }
        let draws: [(SyntheticBehaviour, [Int], Double, Int)] = [
            (.holdsCash, collecting, cashHolderShare, 1),
            (.paidStillOpen, everyone, paidStillOpenShare, 1),
            (.duplicates, everyone, duplicatingShare, 1),
            (.roundAmounts, everyone, roundAmountShare, 1),
            (.skipsDeposit, everyone, skipsDepositShare, 1),
            (.dilutes, everyone, dilutingShare, 0),
        ]
        for (behaviour, candidates, share, minimum) in draws where !candidates.isEmpty {
            var order = candidates
            rng.shuffle(&order)
            let count = min(order.count, max(minimum, Int((Double(order.count) * share).rounded())))
            for client in order.prefix(count) {
                clients[client].behaviour.insert(behaviour)
                if behaviour == .holdsCash { clients[client].holdDays = rng.int(in: 6...40) }
            }
        }
    }
}
