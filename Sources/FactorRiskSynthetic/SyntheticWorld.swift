/// Everything of a synthetic portfolio except its documents: the clients, the debtors, who sells
/// to whom, the approvals and the limits, built once from the parameters.
///
/// The state is proportional to the number of clients and debtors (a few tens of megabytes at the
/// largest), so the ten million documents can then be drawn one at a time from it. Every limit is
/// sized from the *expected* ledger of the documents to come (counts times mean amounts), since
/// the files carrying limits come before `documents.csv` in the load order.
struct SyntheticWorld: Sendable {
    /// A client's relationship with its debtors (RULEBOOK §1).
    enum Mode: Sendable {
        case notified, delegated, confidential

        /// The spelling of `clients.csv`.
        var text: String {
            switch self {
            case .notified: "notified"
            case .delegated: "delegated"
            case .confidential: "confidential"
            }
        }
    }

    /// One row of `clients.csv`, amounts in EUR minor units.
    struct Client: Sendable {
        var country: Int
        var mode: Mode
        var revenue: Int64
        var financialGrade: Int
        var holdbackBP: Int
        var fundingLimit: Int64
        var fundedBalance: Int64
        /// Index of the debtor group it belongs to (its affiliates), or -1.
        var group: Int
        /// How it departs from a healthy book (none for most clients).
        var behaviour: SyntheticBehaviour = []
        /// For a client that holds cash: how many days before the as-of date it stopped remitting.
        var holdDays = 0

        /// Whether the debtors pay it rather than the factor (RULEBOOK §1): it reports every
        /// payment as a collection and remits it.
        var collects: Bool { mode != .notified }
    }

    /// One row of `debtors.csv`, the limit in EUR minor units.
    struct Debtor: Sendable {
        var country: Int
        /// Index of its group, or -1.
        var group: Int
        var creditLimit: Int64
    }

    // MARK: the shape of the ledger (also used to draw the documents)

    /// Mean invoice amount in EUR: the French market average.
    static let meanInvoice = 5_300.0
    /// Mean credit note amount in EUR.
    static let meanCreditNote = 1_200.0
    /// Log-scale spread of amounts: median about 60 % of the mean, a long tail of large invoices.
    static let amountSigma = 1.0
    /// The largest amount drawn, in EUR, so one freak draw does not dwarf a client's ledger.
    static let maxAmount = 2_000_000.0
    static let creditNoteShare = 0.05
    static let disputedShare = 0.05
    /// Documents paid before their due date; past it (or past `latePaidAge` days after issue),
    /// the share paid grows by `latePaidShare` spread over `latePaidDays` days: debtors pay
    /// around the due date, so an open ledger is mostly current, a euro owed is a few days past
    /// due on average and about 3 % of it is aged (RULEBOOK §4.1 rule 4), not months of arrears.
    static let fullyPaidShare = 0.03
    static let latePaidShare = 0.94
    static let latePaidDays = 60
    static let latePaidAge = 60
    static let partlyPaidShare = 0.12
    /// The share of a document's amount still open on average, from the age, terms and payment
    /// draws (worked out by sampling them: about 0.64).
    static let expectedOpenShare = 0.64
    /// The expected open amount of one document in EUR (credit notes counted negative).
    static let expectedOpenPerDocument: Double =
        ((1 - creditNoteShare) * meanInvoice - creditNoteShare * meanCreditNote) * expectedOpenShare

    /// Zipf exponent of debtor popularity: a few debtors (the big retailers) owe a lot.
    static let zipfExponent = 1.1
    /// Share of a client's debtor picks drawn by popularity; the rest uniformly, for a long tail.
    static let popularPickShare = 0.5
    /// How strongly popularity also weighs a debtor's share inside a client's ledger.
    static let ledgerPopularityExponent = 0.1
    static let domesticDebtorShare = 0.65
    static let groupedDebtorShare = 0.10
    static let confidentialClientShare = 0.10
    static let delegatedClientShare = 0.20
    static let affiliateClientShare = 0.05
    static let missingApprovalShare = 0.05
    static let exceededApprovalShare = 0.10
    /// Debtors with an approval whose credit limit is below their clients' approvals
    /// (DEBTOR_OVER_ALLOCATED): a few percent, as in a real book, where the committee allocates
    /// a debtor's limit among the clients selling to it.
    static let overAllocatedDebtorShare = 0.035
    /// Of those, the debtors whose limit was cut below what they are expected to owe
    /// (DEBTOR_LIMIT_BREACH): about half a percent of the debtors with an approval.
    static let breachedDebtorShare = 0.006

    /// How many clients a portfolio of `documents` documents has: about 300 open documents a
    /// client, at least 50 and at most the 33,000 client firms of the French market, yet never
    /// more than half the documents (and at least 3), so a tiny bundle still has a few documents
    /// per client.
    static func clientCount(documents: Int) -> Int {
        min(min(max(documents / 300, 50), 33_000), max(3, documents / 2))
    }

    let clients: [Client]
    let debtors: [Debtor]
    let groupCount: Int
    /// Running totals of the clients' shares of the documents.
    let clientTotals: [Double]
    /// The pairs of client `c` are `pairStart[c]..<pairStart[c + 1]`.
    let pairStart: [Int]
    let pairDebtor: [Int32]
    /// Running totals (over all pairs) of each pair's share of its client's documents.
    let pairTotals: [Double]
    /// The pair's approval in EUR minor units, -1 when it has none (the unapproved case).
    let pairApproved: [Int64]
    let ownFunds: Int64
    /// Explicit limit per country of `SyntheticCountry.table`, in EUR minor units.
    let countryLimits: [Int64?]

    init(documents: Int, seed: UInt64) {
        precondition(documents >= 0, "a portfolio cannot have \(documents) documents")
        let clientCount = Self.clientCount(documents: documents)
        let debtorCount = 20 * clientCount
        let expectedOpenTotal = Double(documents) * Self.expectedOpenPerDocument

        // Debtors: popularity, country, group.
        var rng = SplitMix64.stream(1, of: seed)
        var rankToDebtor = Array(0..<debtorCount)
        rng.shuffle(&rankToDebtor)
        var zipf = [Double](repeating: 0, count: debtorCount)
        var popularity = [Double](repeating: 0, count: debtorCount)
        for rank in 0..<debtorCount {
            let weight = DeterministicMath.exp(-Self.zipfExponent * DeterministicMath.log(Double(rank + 1)))
            zipf[rank] = weight
            popularity[rankToDebtor[rank]] = weight
        }
        let zipfTotals = CumulativeWeights.running(zipf)
        zipf = []

        let countries = SyntheticCountry.table
        let foreignTotals = CumulativeWeights.running(countries.map(\.debtorWeight))
        var debtorCountry = [Int](repeating: SyntheticCountry.home, count: debtorCount)
        for debtor in 0..<debtorCount where !rng.chance(Self.domesticDebtorShare) {
            debtorCountry[debtor] = CumulativeWeights.index(
                in: foreignTotals, range: 0..<countries.count, fraction: rng.unit()
            )
        }
        var embargoedDebtors: [Int] = []
        for _ in 0..<max(1, debtorCount / 250) {
            let debtor = rng.below(debtorCount)
            if debtorCountry[debtor] != SyntheticCountry.embargoedIndex {
                debtorCountry[debtor] = SyntheticCountry.embargoedIndex
                embargoedDebtors.append(debtor)
            }
        }

        var groupOrder = Array(0..<debtorCount)
        rng.shuffle(&groupOrder)
        var debtorGroup = [Int](repeating: -1, count: debtorCount)
        var groupFirstMember: [Int] = []
        let grouped = Int(Double(debtorCount) * Self.groupedDebtorShare)
        var position = 0
        while grouped - position >= 2 {
            let size = min(rng.int(in: 2...8), grouped - position)
            for member in groupOrder[position..<(position + size)] {
                debtorGroup[member] = groupFirstMember.count
            }
            groupFirstMember.append(groupOrder[position])
            position += size
        }
        groupOrder = []

        // Clients: mode by quota, size, grades.
        var clientRNG = SplitMix64.stream(2, of: seed)
        var clientOrder = Array(0..<clientCount)
        clientRNG.shuffle(&clientOrder)
        let confidentialCount = max(1, Int((Double(clientCount) * Self.confidentialClientShare).rounded()))
        let delegatedCount = max(1, Int((Double(clientCount) * Self.delegatedClientShare).rounded()))
        var modes = [Mode](repeating: .notified, count: clientCount)
        for (position, client) in clientOrder.enumerated() {
            if position < confidentialCount {
                modes[client] = .confidential
            } else if position < confidentialCount + delegatedCount {
                modes[client] = .delegated
            }
        }
        let clientCountryTotals = CumulativeWeights.running(SyntheticCountry.clientCountries.map(\.weight))
        let gradeTotals = CumulativeWeights.running([5, 12, 20, 22, 17, 11, 6, 4, 2, 1])
        let soundGradeTotals = CumulativeWeights.running([25, 35, 25, 10, 5])
        var clients: [Client] = []
        clients.reserveCapacity(clientCount)
        var clientWeights: [Double] = []
        clientWeights.reserveCapacity(clientCount)
        for client in 0..<clientCount {
            let mode = modes[client]
            let countryPick = CumulativeWeights.index(
                in: clientCountryTotals, range: 0..<clientCountryTotals.count, fraction: clientRNG.unit()
            )
            var revenue: Double
            let grade: Int
            if mode == .confidential {
                // Larger, sounder firms; a few below the 15 M threshold or with weak accounts.
                revenue = clientRNG.chance(0.85)
                    ? 15_000_000 + clientRNG.logNormal(mean: 40_000_000, sigma: 1.0)
                    : clientRNG.uniform(6_000_000, 15_000_000)
                grade = clientRNG.chance(0.9)
                    ? 1 + CumulativeWeights.index(in: soundGradeTotals, range: 0..<5, fraction: clientRNG.unit())
                    : clientRNG.int(in: 6...8)
            } else {
                revenue = 1_000_000 + clientRNG.logNormal(mean: 7_000_000, sigma: 1.2)
                grade = 1 + CumulativeWeights.index(in: gradeTotals, range: 0..<10, fraction: clientRNG.unit())
            }
            revenue = min(revenue, 500_000_000)
            clients.append(Client(
                country: SyntheticCountry.clientCountries[countryPick].index,
                mode: mode,
                revenue: Int64((revenue / 1_000).rounded()) * 100_000,
                financialGrade: grade,
                holdbackBP: 500 + 50 * clientRNG.int(in: 0...20),
                fundingLimit: 0,
                fundedBalance: 0,
                group: -1
            ))
            clientWeights.append(DeterministicMath.pow(revenue / 1_000_000, 0.85))
        }
        var clientWeightTotal = 0.0
        for weight in clientWeights { clientWeightTotal += weight }

        // Debtors a client must sell to: one of its affiliates, or an embargoed buyer.
        var forced = [[Int]](repeating: [], count: clientCount)
        if !groupFirstMember.isEmpty {
            var affiliateOrder = Array(0..<clientCount)
            clientRNG.shuffle(&affiliateOrder)
            let affiliates = max(1, Int((Double(clientCount) * Self.affiliateClientShare).rounded()))
            for client in affiliateOrder.prefix(affiliates) {
                let group = clientRNG.below(groupFirstMember.count)
                clients[client].group = group
                forced[client].append(groupFirstMember[group])
            }
        }
        for debtor in embargoedDebtors {
            forced[clientRNG.below(clientCount)].append(debtor)
        }

        // Who sells to whom, and how much of each client's ledger each debtor holds.
        var pairRNG = SplitMix64.stream(3, of: seed)
        var seen = [Int32](repeating: -1, count: debtorCount)
        var pairStart: [Int] = [0]
        pairStart.reserveCapacity(clientCount + 1)
        var pairDebtor: [Int32] = []
        var pairWeight: [Double] = []
        var pairExpectedOpen: [Double] = []
        for client in 0..<clientCount {
            let expectedDocuments = Double(documents) * clientWeights[client] / clientWeightTotal
            let wanted = min(debtorCount, max(5, min(200, Int((2.5 * expectedDocuments.squareRoot()).rounded()))))
            let start = pairDebtor.count
            var total = 0.0
            func add(_ debtor: Int, weight: Double) {
                seen[debtor] = Int32(client)
                pairDebtor.append(Int32(debtor))
                pairWeight.append(weight)
                total += weight
            }
            while pairDebtor.count - start < wanted {
                var debtor = -1
                for _ in 0..<64 {
                    let rank = pairRNG.chance(Self.popularPickShare)
                        ? CumulativeWeights.index(in: zipfTotals, range: 0..<debtorCount, fraction: pairRNG.unit())
                        : pairRNG.below(debtorCount)
                    if seen[rankToDebtor[rank]] != Int32(client) {
                        debtor = rankToDebtor[rank]
                        break
                    }
                }
                if debtor < 0 {
                    // The popular debtors are all taken: walk to the next one not yet listed.
                    var rank = pairRNG.below(debtorCount)
                    while seen[rankToDebtor[rank]] == Int32(client) { rank = (rank + 1) % debtorCount }
                    debtor = rankToDebtor[rank]
                }
                let weight = DeterministicMath.pow(popularity[debtor], Self.ledgerPopularityExponent)
                    * pairRNG.uniform(0.5, 1.5)
                add(debtor, weight: weight)
            }
            let listed = total
            for debtor in forced[client] where seen[debtor] != Int32(client) {
                let isAffiliate = debtorGroup[debtor] >= 0 && debtorGroup[debtor] == clients[client].group
                add(debtor, weight: listed * (isAffiliate ? 0.10 : 0.03))
            }
            for pair in start..<pairDebtor.count {
                pairExpectedOpen.append(expectedDocuments * pairWeight[pair] / total * Self.expectedOpenPerDocument)
            }
            pairStart.append(pairDebtor.count)
        }
        seen = []
        forced = []

        // Approvals: most comfortable, some below the expected ledger, a few missing.
        var limitRNG = SplitMix64.stream(4, of: seed)
        var pairApproved = [Int64](repeating: -1, count: pairDebtor.count)
        var debtorApproved = [Int64](repeating: 0, count: debtorCount)
        var debtorExpectedGuaranteed = [Double](repeating: 0, count: debtorCount)
        for pair in pairDebtor.indices {
            let expected = pairExpectedOpen[pair]
            let debtor = Int(pairDebtor[pair])
            if limitRNG.chance(Self.missingApprovalShare) { continue }
            let amount = limitRNG.chance(Self.exceededApprovalShare)
                ? expected * limitRNG.uniform(0.3, 0.8)
                : max(expected, 2 * Self.meanInvoice) * limitRNG.uniform(1.2, 3.0)
            pairApproved[pair] = Self.roundedLimit(amount, minimum: 1_000)
            debtorApproved[debtor] += pairApproved[pair]
            // About 70 % of the open ledger is eligible; the approval caps what is guaranteed.
            debtorExpectedGuaranteed[debtor] += min(expected * 0.7, Double(pairApproved[pair]) / 100)
        }

        // Funding: sized from the expected fundable ledger; some clients over-advanced.
        for client in 0..<clientCount {
            var ledger = 0.0
            for pair in pairStart[client]..<pairStart[client + 1] { ledger += pairExpectedOpen[pair] }
            let capacity = ledger * 0.6 * (1 - Double(clients[client].holdbackBP) / 10_000)
            clients[client].fundingLimit = Self.roundedLimit(capacity * limitRNG.uniform(0.8, 1.5), minimum: 50_000)
            let draw = limitRNG.unit()
            let funded: Double = draw < 0.08 ? capacity * limitRNG.uniform(1.05, 1.5)
                : draw < 0.10 ? 0
                : capacity * limitRNG.uniform(0.3, 0.9)
            clients[client].fundedBalance = Int64((funded * 100).rounded())
        }

        // Debtor credit limits: the approvals of its clients fit within it, with room to spare;
        // a few debtors are over-allocated, and a few of those cut below what they owe.
        var debtors: [Debtor] = []
        debtors.reserveCapacity(debtorCount)
        for debtor in 0..<debtorCount {
            let approved = Double(debtorApproved[debtor]) / 100
            let expected = debtorExpectedGuaranteed[debtor]
            let draw = limitRNG.unit()
            let limit: Int64
            if approved == 0 {
                limit = Self.roundedLimit(limitRNG.uniform(10_000, 100_000), minimum: 10_000)
            } else if draw < Self.breachedDebtorShare {
                limit = Self.roundedLimit(expected * limitRNG.uniform(0.5, 0.85), minimum: 10_000)
            } else if draw < Self.overAllocatedDebtorShare {
                limit = Self.roundedLimit(max(expected * 1.2, approved * limitRNG.uniform(0.6, 0.95)), minimum: 10_000)
            } else {
                limit = Self.roundedLimit(approved * limitRNG.uniform(1.0, 2.0), minimum: 10_000)
            }
            debtors.append(Debtor(country: debtorCountry[debtor], group: debtorGroup[debtor], creditLimit: limit))
        }
        Self.drawBehaviours(&clients, seed: seed)

        self.clients = clients
        self.debtors = debtors
        self.groupCount = groupFirstMember.count
        self.clientTotals = CumulativeWeights.running(clientWeights)
        self.pairStart = pairStart
        self.pairDebtor = pairDebtor
        self.pairTotals = CumulativeWeights.running(pairWeight)
        self.pairApproved = pairApproved
        self.ownFunds = Self.roundedLimit(expectedOpenTotal * limitRNG.uniform(0.08, 0.12), minimum: 100_000, step: 100_000)
        self.countryLimits = countries.map { country in
            country.explicitLimitPermille.map {
                Self.roundedLimit(expectedOpenTotal * Double($0) / 1_000, minimum: 100_000)
            }
        }
    }

    /// A limit as a credit committee writes it: rounded up to a round figure (1,000 EUR steps
    /// below 10,000, then 5,000, 10,000, 50,000, 100,000), at least `minimum`, in minor units.
    static func roundedLimit(_ euros: Double, minimum: Double, step fixedStep: Double? = nil) -> Int64 {
        let value = max(euros, minimum)
        let step = fixedStep ?? (value < 10_000 ? 1_000
            : value < 100_000 ? 5_000
            : value < 1_000_000 ? 10_000
            : value < 10_000_000 ? 50_000
            : 100_000)
        return Int64((value / step).rounded(.up)) * Int64(step) * 100
    }
}
