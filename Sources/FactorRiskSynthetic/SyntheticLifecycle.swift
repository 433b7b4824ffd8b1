/// What became of one invoice after it was issued: the debtor's payments, who received them and
/// when the client passed them on, and what the e-invoicing platform reported (RULEBOOK §3).
///
/// Drawn from a generator of the document's own (seeded by its number), not from the document
/// stream's: the collections, remittances and events files each draw the documents again and must
/// find the same lifecycle every time, whatever order they read it in. Credit notes have none.
///
/// A healthy book: the paid part of every invoice (`amount − open_amount`) was paid in one or two
/// payments between its issue and the as-of date, around its due date when it is past due; a client that collects reports them and remits
/// each within the two days of `remittance_days`; nearly every invoice is deposited within three
/// days of its issue; a fully paid one is reported `paid` on its last payment; some disputed ones
/// are `refused`. A notified client reports a payment only when a debtor paid it by mistake.
struct SyntheticLifecycle {
    /// One payment of the debtor, dated in days before the as-of date.
    struct Payment {
        var age: Int
        var amount: Int64
        /// When the client passed it on, in days before the as-of date; nil when it had not by then.
        var remittedAge: Int?
    }

    /// The chance that a notified client's debtor paid the client instead of the factor.
    static let misdirectedShare = 0.003
    /// Remittance delays of 0, 1 and 2 days, all within the rulebook's default `remittance_days`.
    static let remittanceDelayTotals = CumulativeWeights.running([0.3, 0.5, 0.2])
    /// Deposit delays of 0 to 3 days after issue.
    static let depositDelayTotals = CumulativeWeights.running([0.5, 0.3, 0.12, 0.08])
    /// Invoices of a healthy client never deposited, and of a client that skips the platform.
    static let undepositedShare = 0.002
    static let skippedDepositShare = 0.15
    /// Disputed invoices the buyer also refused on the platform.
    static let refusedShare = 0.3
    /// Open invoices of a paid-still-open client that the platform reports paid.
    static let paidStillOpenShare = 0.08

    private(set) var first: Payment?
    private(set) var second: Payment?
    /// Whether the client reported the payments as its collections.
    private(set) var collected = false
    /// The platform's events, in days before the as-of date; nil when not reported by then.
    private(set) var deposited: Int?
    private(set) var refused: Int?
    private(set) var paid: Int?

    init(_ document: SyntheticDocument, client: SyntheticWorld.Client, seed: UInt64) {
        guard !document.isCreditNote else { return }
        var rng = SplitMix64.stream(UInt64(document.number), of: seed ^ 0x4C49_4645_4359_434C)
        let paidPart = document.amount - document.open
        if paidPart > 0 {
            // Paid at any time before the due date, or from ten days before it to the as-of date.
            let last = rng.int(in: 0...(document.dueOffset >= 0 ? document.age : min(document.age, 10 - document.dueOffset)))
            if document.open == 0, paidPart >= 2, rng.chance(0.3) {
                let firstAmount = max(1, min(paidPart - 1, Int64(Double(paidPart) * rng.uniform(0.3, 0.7))))
                first = Payment(age: rng.int(in: last...document.age), amount: firstAmount)
                second = Payment(age: last, amount: paidPart - firstAmount)
            } else {
                first = Payment(age: last, amount: paidPart)
            }
            if document.open == 0 { paid = last }
            collected = client.collects || rng.chance(Self.misdirectedShare)
        }
        if collected {
            let holds = client.behaviour.contains(.holdsCash)
            func remit(_ payment: inout Payment?) {
                guard let age = payment?.age else { return }
                let delay = CumulativeWeights.index(in: Self.remittanceDelayTotals, range: 0..<3, fraction: rng.unit())
                let held = holds && age <= client.holdDays
                payment?.remittedAge = held || age - delay < 0 ? nil : age - delay
            }
            remit(&first)
            remit(&second)
        }
        let skips = client.behaviour.contains(.skipsDeposit)
        if !rng.chance(skips ? Self.skippedDepositShare : Self.undepositedShare) {
            let delay = CumulativeWeights.index(in: Self.depositDelayTotals, range: 0..<4, fraction: rng.unit())
            if document.age - delay >= 0 { deposited = document.age - delay }
        }
        if document.disputed, rng.chance(Self.refusedShare), document.age - 5 >= 0 {
            refused = document.age - rng.int(in: 5...min(30, document.age))
        }
        if document.open > 0, client.behaviour.contains(.paidStillOpen), rng.chance(Self.paidStillOpenShare) {
            let age = rng.int(in: 3...15)
            if age <= document.age { paid = age }
        }
    }

    /// The first (`part` 1) or second payment.
    func payment(_ part: Int) -> Payment? { part == 1 ? first : second }
}
