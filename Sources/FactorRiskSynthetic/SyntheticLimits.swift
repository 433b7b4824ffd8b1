import FactorRiskCore

/// The limits in time and credit insurance of a synthetic portfolio (RULEBOOK §9.1–§9.3): the
/// rows of `limit_changes.csv` and `insurance.csv`, drawn from streams of their own so that the
/// files before them stay byte for byte what they were before version 3.
///
/// A book as a factor keeps it, at these rates:
/// - about 20 % of the debtors have a credit-limit history: the change in force (effective in the
///   past year, in step with `debtors.csv`, as an extract that keeps the two together writes it),
///   half of them an older change it replaced; of those debtors, 35 % have a cut announced in the
///   last 30 days and effective within 60 days (a fifth of the cuts an expiry to 0), 10 % a pending
///   raise, 10 % a change announced only after the as-of date; and 5 % of those nobody holds an
///   approval on have had their limit expire (a change to 0 in force, which the file still shows);
/// - about 5 % of the approvals have a change: 60 % of those a pending cut (a quarter to 0), the
///   rest a past change in step with `approvals.csv`;
/// - about 40 % of the debtors are insured: most for about their credit limit (80 to 120 %), one
///   in five for a part of it (20 to 60 %), with cover of 8,500 to 9,500 bp; 40 % of the policies
///   open-ended, 10 % ending within 30 days of the as-of date, 10 % already expired, the rest
///   ending in one month to a year.
///
/// Every amount is a whole number of EUR cents rounded to 1,000 EUR, worked in integers; every
/// `effective_on` is on or after its `announced_on` and every `valid_to` on or after its `valid_from`.
struct SyntheticLimits {
    /// One row of `limit_changes.csv`, the limit in EUR minor units; `client` is nil for a
    /// debtor's credit limit, else the change is of that client's approval on the debtor.
    struct Change: Equatable, Sendable {
        var debtor: Int
        var client: Int?
        var newLimit: Int64
        var announcedOn: CalendarDate
        var effectiveOn: CalendarDate
    }

    /// One row of `insurance.csv`, the insured limit in EUR minor units.
    struct InsurancePolicy: Equatable, Sendable {
        var debtor: Int
        var insurer: String
        var insuredLimit: Int64
        var coverBP: Int
        var validFrom: CalendarDate
        var validTo: CalendarDate?
    }

    /// Of all debtors: those with a credit-limit history.
    static let debtorHistoryShare = 0.20
    /// Of the debtors with a history: an older change before the one in force.
    static let earlierChangeShare = 0.50
    /// Of the debtors with a history: a pending cut, a pending raise, a change announced after the as-of date.
    static let pendingCutShare = 0.35
    static let pendingRaiseShare = 0.10
    static let unannouncedShare = 0.10
    /// Of the pending cuts of a credit limit: an expiry (a change to 0).
    static let limitExpiryShare = 0.20
    /// Of the debtors with a history and no approval: a limit that expired in the past.
    static let pastExpiryShare = 0.05
    /// Of the approvals: those with a change; of those, a pending cut (else a past change), and of
    /// the cuts, an expiry.
    static let approvalChangeShare = 0.05
    static let approvalPendingShare = 0.60
    static let approvalExpiryShare = 0.25
    /// Of all debtors: those the factor holds credit insurance on; of those, insured for a part of
    /// the credit limit only.
    static let insuredShare = 0.40
    static let partialCoverShare = 0.20
    /// Of the policies: open-ended, ending within 30 days of the as-of date, expired.
    static let openEndedShare = 0.40
    static let endingSoonShare = 0.10
    static let expiredShare = 0.10
    /// The credit insurers policies are drawn from.
    static let insurers = ["Allianz Trade", "Atradius", "Cesce", "Coface", "Credendo"]

    /// 1,000 EUR in minor units: the step every drawn limit is rounded down to.
    static let step: Int64 = 100_000

    /// `limit` times `bp` / 10,000, rounded down to 1,000 EUR: exact, the product in Int128 so that
    /// no limit a bundle can hold overflows.
    static func scaled(_ limit: Int64, bp: Int) -> Int64 {
        Int64(Int128(limit) * Int128(bp) / 10_000) / step * step
    }

    /// Calls `emit` with every change of `world`'s credit limits (debtor by debtor), then of its
    /// approvals (pair by pair), as of `asOf`.
    static func changes(of world: SyntheticWorld, asOf: CalendarDate, seed: UInt64, _ emit: (Change) throws -> Void) rethrows {
        var rng = SplitMix64.stream(8, of: seed)
        var approved = [Bool](repeating: false, count: world.debtors.count)
        for pair in world.pairDebtor.indices where world.pairApproved[pair] >= 0 { approved[Int(world.pairDebtor[pair])] = true }

        for (debtor, row) in world.debtors.enumerated() where rng.chance(debtorHistoryShare) {
            let limit = row.creditLimit
            let effective = asOf.adding(days: -rng.int(in: 1...330))
            if rng.chance(earlierChangeShare) {
                let before = effective.adding(days: -rng.int(in: 30...360))
                try emit(Change(debtor: debtor, client: nil, newLimit: max(step, scaled(limit, bp: rng.int(in: 6_000...14_000))),
                                announcedOn: before.adding(days: -rng.int(in: 0...30)), effectiveOn: before))
            }
            let expired = !approved[debtor] && rng.chance(pastExpiryShare)
            try emit(Change(debtor: debtor, client: nil, newLimit: expired ? 0 : limit,
                            announcedOn: effective.adding(days: -rng.int(in: 0...30)), effectiveOn: effective))
            guard !expired else { continue }
            let draw = rng.unit()
            if draw < pendingCutShare {
                let cut = rng.chance(limitExpiryShare) ? 0 : scaled(limit, bp: rng.int(in: 2_000...7_000))
                try emit(pending(debtor: debtor, client: nil, to: cut, asOf: asOf, rng: &rng))
            } else if draw < pendingCutShare + pendingRaiseShare {
                try emit(pending(debtor: debtor, client: nil, to: scaled(limit, bp: rng.int(in: 11_000...15_000)), asOf: asOf, rng: &rng))
            } else if draw < pendingCutShare + pendingRaiseShare + unannouncedShare {
                let announced = asOf.adding(days: rng.int(in: 1...20))
                try emit(Change(debtor: debtor, client: nil, newLimit: scaled(limit, bp: rng.int(in: 5_000...9_000)),
                                announcedOn: announced, effectiveOn: announced.adding(days: rng.int(in: 0...40))))
            }
        }

        for client in world.clients.indices {
            for pair in world.pairStart[client]..<world.pairStart[client + 1]
            where world.pairApproved[pair] >= 0 && rng.chance(approvalChangeShare) {
                let debtor = Int(world.pairDebtor[pair])
                let amount = world.pairApproved[pair]
                if rng.chance(approvalPendingShare) {
                    let cut = rng.chance(approvalExpiryShare) ? 0 : scaled(amount, bp: rng.int(in: 2_000...7_000))
                    try emit(pending(debtor: debtor, client: client, to: cut, asOf: asOf, rng: &rng))
                } else {
                    let effective = asOf.adding(days: -rng.int(in: 1...330))
                    try emit(Change(debtor: debtor, client: client, newLimit: amount,
                                    announcedOn: effective.adding(days: -rng.int(in: 0...30)), effectiveOn: effective))
                }
            }
        }
    }

    /// A change announced in the 30 days up to `asOf` and effective 1 to 60 days after it.
    private static func pending(debtor: Int, client: Int?, to limit: Int64, asOf: CalendarDate, rng: inout SplitMix64) -> Change {
        Change(debtor: debtor, client: client, newLimit: limit,
               announcedOn: asOf.adding(days: -rng.int(in: 0...30)), effectiveOn: asOf.adding(days: rng.int(in: 1...60)))
    }

    /// Calls `emit` with the credit insurance of each insured debtor of `world`, in debtor order.
    static func policies(of world: SyntheticWorld, asOf: CalendarDate, seed: UInt64, _ emit: (InsurancePolicy) throws -> Void) rethrows {
        var rng = SplitMix64.stream(9, of: seed)
        for (debtor, row) in world.debtors.enumerated() where rng.chance(insuredShare) {
            let share = rng.chance(partialCoverShare) ? rng.int(in: 2_000...6_000) : rng.int(in: 8_000...12_000)
            let insurer = insurers[rng.below(insurers.count)]
            let cover = 8_500 + 100 * rng.int(in: 0...10)
            let draw = rng.unit()
            let validTo: CalendarDate? =
                if draw < openEndedShare { nil }
                else if draw < openEndedShare + endingSoonShare { asOf.adding(days: rng.int(in: 0...29)) }
                else if draw < openEndedShare + endingSoonShare + expiredShare { asOf.adding(days: -rng.int(in: 1...180)) }
                else { asOf.adding(days: rng.int(in: 30...365)) }
            // A policy runs one to three years; an open-ended one started up to about three years ago.
            let validFrom = (validTo ?? asOf.adding(days: 365)).adding(days: -rng.int(in: 365...1_095))
            try emit(InsurancePolicy(debtor: debtor, insurer: insurer, insuredLimit: max(step, scaled(row.creditLimit, bp: share)),
                            coverBP: cover, validFrom: validFrom, validTo: validTo))
        }
    }
}
