import FactorRiskCore
@testable import FactorRiskSynthetic
import Testing

/// Limits in time and credit insurance in the demo world (RULEBOOK §9): each share worked out from
/// limit_changes.csv and insurance.csv themselves, and the flags of §9 found by the reference
/// engine exactly where the files say they should be possible.
extension SyntheticBookRatesTests {
    /// The changes of credit limits (no client), by debtor.
    static var debtorHistories: [String: [Book.LimitChange]] {
        Dictionary(grouping: book.limitChanges.filter(\.client.isEmpty), by: \.debtor)
    }

    /// Whether `change` is pending on the as-of date (announced, not yet effective).
    static func isPending(_ change: Book.LimitChange) -> Bool { change.announced <= asOf && asOf < change.effective }

    @Test("about 20 % of the debtors have a credit-limit history, each with a change in force; a third of those a cut pending within 60 days")
    func creditLimitHistories() {
        let book = Self.book
        let histories = Self.debtorHistories
        #expect((0.17...0.23).contains(share(histories.count, of: book.creditLimits.count)), "\(histories.count) of \(book.creditLimits.count)")
        let withChangeInForce = histories.values.filter { $0.contains { $0.effective <= Self.asOf } }.count
        #expect(withChangeInForce == histories.count)
        // A pending cut is below the limit in force; 0 is an expiry.
        let cuts = histories.filter { debtor, changes in
            changes.contains { Self.isPending($0) && $0.newLimit < book.creditLimits[debtor]! }
        }
        #expect((0.25...0.45).contains(share(cuts.count, of: histories.count)), "\(cuts.count) pending cuts of \(histories.count)")
        let pending = book.limitChanges.filter(Self.isPending)
        #expect(pending.allSatisfy { $0.effective <= Self.asOf.adding(days: 60) && $0.announced >= Self.asOf.adding(days: -30) })
        let expiries = histories.values.filter { $0.contains { $0.newLimit == 0 } }.count
        #expect(expiries > 0 && share(expiries, of: histories.count) < 0.15, "\(expiries) expiries")
        let unannounced = histories.values.filter { $0.contains { $0.announced > Self.asOf } }.count
        #expect((0.05...0.15).contains(share(unannounced, of: histories.count)), "\(unannounced) announced after the as-of date")
        // Every change is effective on or after its announcement, and is a whole amount of EUR cents.
        #expect(book.limitChanges.allSatisfy { $0.effective >= $0.announced && $0.newLimit >= 0 })
    }

    @Test("about 5 % of the approvals have a change, most of them a pending cut, each on an approval that exists")
    func approvalChanges() {
        let book = Self.book
        let fileApprovals = Set(Self.bundle.records(.approvals).map { "\($0["client_ref"]!)|\($0["debtor_ref"]!)" })
        let pairChanges = book.limitChanges.filter { !$0.client.isEmpty }
        let pairs = Set(pairChanges.map { "\($0.client)|\($0.debtor)" })
        #expect(pairs.isSubset(of: fileApprovals))
        #expect((0.035...0.065).contains(share(pairs.count, of: fileApprovals.count)), "\(pairs.count) of \(fileApprovals.count)")
        let pending = pairChanges.filter(Self.isPending).count
        #expect((0.45...0.75).contains(share(pending, of: pairChanges.count)), "\(pending) pending of \(pairChanges.count)")
        #expect(pairChanges.contains { Self.isPending($0) && $0.newLimit == 0 })
    }

    @Test("about 40 % of the debtors are insured around their credit limit, cover 8,500 to 9,500 bp; some policies open, ending soon or expired")
    func insurance() {
        let book = Self.book
        let policies = Array(book.insurance.values)
        #expect(Set(policies.map(\.debtor)).isSubset(of: Set(book.creditLimits.keys)))
        #expect((0.36...0.44).contains(share(policies.count, of: book.creditLimits.count)), "\(policies.count) of \(book.creditLimits.count)")
        #expect(policies.allSatisfy { (8_500...9_500).contains($0.coverBP) && $0.insuredLimit > 0 })
        #expect(policies.allSatisfy { policy in policy.validTo.map { $0 >= policy.validFrom } ?? true })
        let openEnded = policies.filter { $0.validTo == nil }.count
        let endingSoon = policies.filter { $0.validTo.map { $0 >= Self.asOf && $0 - Self.asOf < 30 } ?? false }.count
        let expired = policies.filter { $0.validTo.map { $0 < Self.asOf } ?? false }.count
        #expect((0.33...0.47).contains(share(openEnded, of: policies.count)), "\(openEnded) open-ended")
        #expect((0.06...0.14).contains(share(endingSoon, of: policies.count)), "\(endingSoon) ending within 30 days")
        #expect((0.06...0.14).contains(share(expired, of: policies.count)), "\(expired) expired")
        // Insured for 80 to 120 % of the limit in debtors.csv, or (one in five) for 20 to 60 % of it.
        let fileLimits = Dictionary(uniqueKeysWithValues: Self.bundle.records(.debtors).map { ($0["debtor_ref"]!, $0["credit_limit"]!) })
        let ratios = policies.map { policy in
            Double(policy.insuredLimit) / Double((try? Money.parse(fileLimits[policy.debtor]!, exponent: 2)) ?? 1)
        }
        let around = ratios.filter { (0.75...1.2).contains($0) }.count
        let partial = ratios.filter { $0 <= 0.6 }.count
        #expect((0.72...0.88).contains(share(around, of: policies.count)), "\(around) around the limit")
        #expect((0.12...0.28).contains(share(partial, of: policies.count)), "\(partial) partly insured")
    }

    @Test("the reference engine raises each flag of §9, and only where the files allow it")
    func limitFlags() throws {
        let book = Self.book
        let report = try Self.report()
        func flagged(_ flag: RiskFlag) -> Set<String> { Set(report.debtors.filter { $0.flags.contains(flag) }.map(\.debtorRef)) }

        // LIMIT_CUT_PENDING: a pending change of the credit limit below the limit in force.
        let cutPending = flagged(.limitCutPending)
        let canCut = Set(book.limitChanges.filter { $0.client.isEmpty && Self.isPending($0) && $0.newLimit < book.creditLimits[$0.debtor]! }.map(\.debtor))
        #expect(!cutPending.isEmpty && cutPending.isSubset(of: canCut), "\(cutPending.count) of \(canCut.count)")

        // UNINSURED_EXPOSURE and INSURANCE_EXPIRING: a policy in force (and for the second, ending within 30 days).
        let inForce = book.insurance.values.filter { $0.validFrom <= Self.asOf && ($0.validTo.map { Self.asOf <= $0 } ?? true) }
        let uninsured = flagged(.uninsuredExposure)
        #expect(!uninsured.isEmpty && uninsured.isSubset(of: Set(inForce.map(\.debtor))), "\(uninsured.count)")
        for row in report.debtors where uninsured.contains(row.debtorRef) {
            #expect(row.covered > book.insurance[row.debtorRef]!.insuredLimit)
        }
        let expiring = flagged(.insuranceExpiring)
        let ending = Set(inForce.filter { $0.validTo.map { $0 - Self.asOf < 30 } ?? false }.map(\.debtor))
        #expect(!expiring.isEmpty && expiring.isSubset(of: ending), "\(expiring.count) of \(ending.count)")

        // APPROVAL_CUT_PENDING: a client with a pending change of one of its approvals.
        let approvalCut = Set(report.clients.filter { $0.flags.contains(.approvalCutPending) }.map(\.clientRef))
        let canCutApproval = Set(book.limitChanges.filter { !$0.client.isEmpty && Self.isPending($0) }.map(\.client))
        #expect(!approvalCut.isEmpty && approvalCut.isSubset(of: canCutApproval), "\(approvalCut.count) of \(canCutApproval.count)")
    }
}
