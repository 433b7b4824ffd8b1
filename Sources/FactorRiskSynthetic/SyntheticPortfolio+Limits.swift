import FactorRiskCore

/// The files of RULEBOOK §9 (rulebook version 3): `limit_changes.csv` and `insurance.csv`, as
/// `SyntheticLimits` draws them.
extension SyntheticPortfolio {
    /// One row per change: `L<number>` in the order drawn (debtors' credit limits, then approvals),
    /// so the refs count up through the file.
    func emitLimitChanges(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        let width = SyntheticRefs.width(for: 3 * debtorCount + world.pairDebtor.count, minimum: 7)
        var number = 0
        try SyntheticLimits.changes(of: world, asOf: parameters.asOf, seed: parameters.seed) { change in
            number += 1
            try sink.row([
                SyntheticRefs.make(prefix: UInt8(ascii: "L"), number: number, width: width), refs.debtors[change.debtor],
                change.client.map { refs.clients[$0] } ?? "", Self.euros(change.newLimit),
                change.announcedOn.description, change.effectiveOn.description,
            ])
        }
    }

    /// One row per insured debtor, in debtor order; an open-ended policy has an empty `valid_to`.
    func emitInsurance(into sink: inout some BundleSink, refs: SyntheticRefs) throws {
        try SyntheticLimits.policies(of: world, asOf: parameters.asOf, seed: parameters.seed) { policy in
            try sink.row([
                refs.debtors[policy.debtor], policy.insurer, Self.euros(policy.insuredLimit), String(policy.coverBP),
                policy.validFrom.description, policy.validTo?.description ?? "",
            ])
        }
    }
}
