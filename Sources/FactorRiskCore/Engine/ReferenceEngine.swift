/// The rulebook (RULEBOOK.md §4, §6, §8 and §9) as plain Swift over in-memory values.
///
/// Written to be read side by side with the rulebook, section by section, not for speed: it is
/// the reference the production engine (set-based SQL inside PostgreSQL) is tested against.
public enum ReferenceEngine {
    /// Computes every row of every level for `portfolio` as of `date`, under `scenario` (§9.4; none by default).
    public static func compute(_ portfolio: Portfolio, asOf date: CalendarDate, scenario: Scenario = Scenario()) -> RiskReport {
        let policy = portfolio.policy
        let base = portfolio.tenant.baseCurrency
        var report = RiskReport(tenantRef: portfolio.tenant.ref, asOf: date, currency: base)
        let clientsByRef = Dictionary(portfolio.clients.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        let debtorsByRef = Dictionary(portfolio.debtors.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        func country(_ code: String) -> Portfolio.Country {
            var risk = portfolio.countries[code] ?? Portfolio.Country(grade: policy.defaultCountryGrade, embargoed: false, limit: nil)
            // §9.4 (b): a named country has its new grade (an explicit limit still wins, §4.7).
            if let grade = scenario.grades[code] { risk.grade = grade }
            return risk
        }
        // §9.4 (a): no document of a debtor of a defaulted group takes part anywhere in §4 or §8, and
        // such pairs' approvals are 0; collections and remittances still count.
        let defaultedDebtors = Set(portfolio.debtors.filter { scenario.defaulted.contains($0.groupRef ?? $0.ref) }.map(\.ref))
        let documents = defaultedDebtors.isEmpty ? portfolio.documents : portfolio.documents.filter { !defaultedDebtors.contains($0.debtorRef) }

        // §9.1: each approval in force on D; §9.2: each limit's changes, for its next pending one.
        let debtorChanges = Dictionary(grouping: portfolio.limitChanges.filter { $0.clientRef == nil }, by: \.debtorRef)
        let pairChanges = Dictionary(grouping: portfolio.limitChanges.filter { $0.clientRef != nil }) {
            Portfolio.Pair($0.clientRef!, $0.debtorRef)
        }
        var approvals = portfolio.approvals
        for (pair, changes) in pairChanges {
            if let change = LimitHistory.inForce(changes, on: date) { approvals[pair] = change.newLimit }
        }
        for pair in approvals.keys where defaultedDebtors.contains(pair.debtorRef) { approvals[pair] = 0 }

        // §4: the documents that take part, with o = fx(open_amount, currency). A document without a
        // rate is listed when it is open or falls in the dilution window (§8.1).
        struct Part {
            let document: Portfolio.Document
            let o: Int64
        }
        func inWindow(_ document: Portfolio.Document, days: Int) -> Bool {
            document.issueDate <= date && date - document.issueDate < days
        }
        func converted(_ amount: Int64, _ currency: Currency) -> Int64? {
            portfolio.rate(currency, on: date).map {
                Rulebook.fx(amountMinor: amount, currencyExponent: currency.exponent, rate: $0, baseExponent: base.exponent)
            }
        }
        var parts: [Portfolio.Pair: [Part]] = [:]
        var missingFX: [String] = []
        for document in documents where document.issueDate <= date {
            let open = document.openAmount != 0
            guard let o = converted(document.openAmount, document.currency) else {
                if open || inWindow(document, days: policy.dilutionWindowDays) { missingFX.append(document.ref) }
                continue
            }
            if open { parts[Portfolio.Pair(document.clientRef, document.debtorRef), default: []].append(Part(document: document, o: o)) }
        }
        // §4.1: an event counts when its date is on or before D.
        func event(_ event: Portfolio.Event, of document: Portfolio.Document) -> CalendarDate? {
            portfolio.events[document.ref]?[event].flatMap { $0 <= date ? $0 : nil }
        }
        // §8.3: each pair's first invoice issued on or before D, open or closed, with a rate or not.
        var firstInvoice: [Portfolio.Pair: CalendarDate] = [:]
        for document in documents where document.kind == .invoice && document.issueDate <= date {
            let pair = Portfolio.Pair(document.clientRef, document.debtorRef)
            firstInvoice[pair] = min(firstInvoice[pair] ?? document.issueDate, document.issueDate)
        }

        // §4.3: a pair has a row when one of its documents takes part or its approval is above 0.
        var pairKeys = Set(parts.keys)
        for (pair, approved) in approvals where approved > 0 { pairKeys.insert(pair) }

        for pair in pairKeys.sorted() {
            guard let client = clientsByRef[pair.clientRef], let debtor = debtorsByRef[pair.debtorRef] else { continue }
            let approved = approvals[pair] ?? 0
            let debtorCountry = country(debtor.country)
            var row = RiskReport.PairRow(clientRef: pair.clientRef, debtorRef: pair.debtorRef, approved: approved)
            let documents = parts[pair] ?? []

            // §4.1: classify each invoice; the first rule that holds gives its reason.
            func isAged(_ document: Portfolio.Document) -> Bool {
                date - document.issueDate > policy.maxDaysFromInvoice || date - document.dueDate > policy.maxDaysPastDue
            }
            func isUndeposited(_ document: Portfolio.Document) -> Bool {
                guard let days = policy.depositDays else { return false }
                return event(.deposited, of: document) == nil && date - document.issueDate > days
            }
            var classes: [(InvoiceClass, Int64)] = []
            var old: Int64 = 0
            var invoices: Int64 = 0
            for part in documents {
                let document = part.document
                if document.kind == .creditNote {
                    row.creditNotes += part.o
                    continue
                }
                let reason: InvoiceClass =
                    if let paid = event(.paid, of: document), date - paid >= policy.remittanceDays { .paid }
                    else if document.disputed || event(.refused, of: document) != nil { .disputed }
                    else if isUndeposited(document) { .undeposited }
                    else if isAged(document) { .aged }
                    else if let group = debtor.groupRef, group == client.groupRef { .affiliate }
                    else if debtorCountry.embargoed { .embargo }
                    else if approved == 0 { .unapproved }
                    else { .eligible }
                classes.append((reason, part.o))
                // §4.2: the age test, whatever the reason.
                if isAged(document) { old += part.o }
                invoices += part.o
            }
            // §4.2: cross-ageing turns every eligible invoice of the pair into cross_aged.
            row.crossAged = Int128(old) * 10_000 > Int128(policy.crossAgeBP) * Int128(invoices)
            var eligibleInvoices: Int64 = 0
            for (reason, o) in classes {
                let final = reason == .eligible && row.crossAged ? .crossAged : reason
                if final == .eligible { eligibleInvoices += o } else { row.ineligible[final] += o }
            }
            // §4.3
            row.gross = invoices - row.creditNotes
            row.eligible = max(0, eligibleInvoices - row.creditNotes)
            row.guaranteed = min(row.eligible, approved)
            row.overApproval = row.eligible - row.guaranteed
            row.coverBP = debtor.country == portfolio.tenant.homeCountry ? policy.coverDomesticBP : policy.coverForeignBP
            row.covered = Rulebook.pct(row.guaranteed, row.coverBP)
            row.riskWeighted = Rulebook.pct(row.covered, policy.weightBP[client.mode]!)
            // §9.2
            if let pending = LimitHistory.nextPending(pairChanges[pair] ?? [], on: date) {
                row.pendingApproved = pending.newLimit
                row.pendingOn = pending.effectiveOn
            }
            row.projectedGuaranteed = row.pendingApproved.map { min(row.eligible, $0) } ?? row.guaranteed
            // §8.3
            row.newDebtor = firstInvoice[pair].map { date - $0 < policy.newDebtorDays } ?? false
            report.pairs.append(row)
        }

        // §8.4: days past due of an average unit owed, over the invoices that take part.
        struct PastDue {
            var weighted: Int128 = 0
            var owed: Int128 = 0
            var days: Int64? { owed == 0 ? nil : Int64(Rulebook.floorDivide(weighted, owed)) }
        }
        var pastDueByClient: [String: PastDue] = [:]
        var pastDueByDebtor: [String: PastDue] = [:]
        for part in parts.values.joined() where part.document.kind == .invoice {
            let weighted = Int128(part.o) * Int128(max(0, date - part.document.dueDate))
            pastDueByClient[part.document.clientRef, default: PastDue()].weighted += weighted
            pastDueByClient[part.document.clientRef, default: PastDue()].owed += Int128(part.o)
            pastDueByDebtor[part.document.debtorRef, default: PastDue()].weighted += weighted
            pastDueByDebtor[part.document.debtorRef, default: PastDue()].owed += Int128(part.o)
        }

        // §8.1 to §8.3: each client's activity.
        var activities: [String: ClientActivity] = [:]
        let documentsByRef = Dictionary(portfolio.documents.map { ($0.ref, $0) }, uniquingKeysWith: { a, _ in a })
        for document in documents where inWindow(document, days: policy.dilutionWindowDays) {
            guard let a = converted(document.amount, document.currency) else { continue }
            if document.kind == .invoice {
                activities[document.clientRef, default: ClientActivity()].invoicedWindow += a
            } else {
                activities[document.clientRef, default: ClientActivity()].creditedWindow += a
            }
        }
        var missingCollections: [String] = []
        var collectionsByClient: [String: [(Portfolio.Collection, Int64)]] = [:]
        for collection in portfolio.collections where collection.collectedOn <= date {
            guard let document = documentsByRef[collection.docRef] else { continue }
            guard let amount = converted(collection.amount, document.currency) else {
                missingCollections.append(collection.ref)
                continue
            }
            collectionsByClient[document.clientRef, default: []].append((collection, amount))
            activities[document.clientRef, default: ClientActivity()].collected += amount
            if date - collection.collectedOn >= policy.remittanceDays {
                activities[document.clientRef, default: ClientActivity()].collectedDue += amount
            }
        }
        var missingRemittances: [String] = []
        for remittance in portfolio.remittances where remittance.receivedOn <= date {
            guard let amount = converted(remittance.amount, remittance.currency) else {
                missingRemittances.append(remittance.ref)
                continue
            }
            activities[remittance.clientRef, default: ClientActivity()].remitted += amount
        }
        // §8.2: remittances pay the oldest collections first.
        for (clientRef, collections) in collectionsByClient {
            let remitted = activities[clientRef]?.remitted ?? 0
            var running: Int64 = 0
            let ordered = collections.sorted {
                $0.0.collectedOn != $1.0.collectedOn ? $0.0.collectedOn < $1.0.collectedOn : byteOrder($0.0.ref, $1.0.ref)
            }
            for (collection, amount) in ordered {
                running += amount
                if running > remitted {
                    activities[clientRef]!.unremittedDays = Int64(date - collection.collectedOn)
                    break
                }
            }
        }
        // §8.3: duplicate suspects and round amounts, without conversion.
        let invoicesByPair = Dictionary(grouping: documents.filter { $0.kind == .invoice && $0.issueDate <= date }) {
            Portfolio.Pair($0.clientRef, $0.debtorRef)
        }
        for (pair, invoices) in invoicesByPair {
            for invoice in invoices where invoice.openAmount > 0 {
                let twin = invoices.contains {
                    $0.ref != invoice.ref && $0.currency == invoice.currency && $0.amount == invoice.amount
                        && abs($0.issueDate - invoice.issueDate) <= policy.duplicateDays
                }
                if twin { activities[pair.clientRef, default: ClientActivity()].duplicateSuspects += 1 }
            }
            for invoice in invoices where inWindow(invoice, days: policy.roundWindowDays) {
                activities[pair.clientRef, default: ClientActivity()].roundInvoices += 1
                let unit = Int128(policy.roundUnit) * Rulebook.pow10(invoice.currency.exponent)
                if Int128(invoice.amount) % unit == 0 { activities[pair.clientRef, default: ClientActivity()].roundAmountInvoices += 1 }
            }
        }

        // §4.4: clients, their pairs summed, then the funding waterfall.
        let pairsByClient = Dictionary(grouping: report.pairs, by: \.clientRef)
        for client in portfolio.clients.sorted(by: { byteOrder($0.ref, $1.ref) }) {
            var activity = activities[client.ref] ?? ClientActivity()
            activity.pastDueDays = pastDueByClient[client.ref]?.days
            report.clients.append(
                LevelRules.client(client, pairs: pairsByClient[client.ref] ?? [], activity: activity, policy: policy,
                                  baseExponent: base.exponent))
        }

        // §4.5: debtors, across all clients of the tenant.
        let pairsByDebtor = Dictionary(grouping: report.pairs, by: \.debtorRef)
        var approvedByDebtor: [String: Int64] = [:]
        for (pair, approved) in approvals { approvedByDebtor[pair.debtorRef, default: 0] += approved }
        let debtors = portfolio.debtors.sorted { byteOrder($0.ref, $1.ref) }
        for debtor in debtors {
            // §9.1 and §9.2: the credit limit in force, and the next pending change.
            let changes = debtorChanges[debtor.ref] ?? []
            var row = RiskReport.DebtorRow(
                debtorRef: debtor.ref, country: debtor.country, groupRef: debtor.groupRef ?? debtor.ref,
                creditLimit: LimitHistory.value(changes, file: debtor.creditLimit, on: date))
            if let pending = LimitHistory.nextPending(changes, on: date) {
                row.pendingLimit = pending.newLimit
                row.pendingOn = pending.effectiveOn
            }
            for pair in pairsByDebtor[debtor.ref] ?? [] {
                row.gross += pair.gross
                row.eligible += pair.eligible
                row.guaranteed += pair.guaranteed
                row.covered += pair.covered
                row.riskWeighted += pair.riskWeighted
                if pair.gross != 0 || pair.approved > 0 { row.clients += 1 }
            }
            row.approvedTotal = approvedByDebtor[debtor.ref] ?? 0
            row.pastDueDays = pastDueByDebtor[debtor.ref]?.days
            LevelRules.debtorLimit(&row)
            LevelRules.insurance(&row, portfolio.insurance[debtor.ref], asOf: date)
            report.debtors.append(row)
        }

        // §4.6: groups; a debtor without group_ref is a group of its own.
        let ownFunds = portfolio.tenant.ownFunds
        var groups: [String: RiskReport.GroupRow] = [:]
        for debtor in report.debtors {
            var group = groups[debtor.groupRef] ?? RiskReport.GroupRow(groupRef: debtor.groupRef)
            group.debtors += 1
            group.guaranteed += debtor.guaranteed
            group.covered += debtor.covered
            group.netLoss += debtor.netLoss
            groups[debtor.groupRef] = group
        }
        for key in groups.keys { LevelRules.group(&groups[key]!, ownFunds: ownFunds, policy: policy) }
        report.groups = groups.values.sorted { byteOrder($0.groupRef, $1.groupRef) }

        // §4.7: countries, where a debtor is. P is the tenant's total guaranteed.
        let total = report.pairs.reduce(Int64(0)) { $0 + $1.guaranteed }
        var countries: [String: RiskReport.CountryRow] = [:]
        for debtor in report.debtors {
            let risk = country(debtor.country)
            var row = countries[debtor.country] ?? RiskReport.CountryRow(country: debtor.country, grade: risk.grade, embargoed: risk.embargoed)
            row.gross += debtor.gross
            row.guaranteed += debtor.guaranteed
            row.covered += debtor.covered
            row.debtors += 1
            countries[debtor.country] = row
        }
        for key in countries.keys { LevelRules.country(&countries[key]!, risk: country(key), total: total, policy: policy) }
        report.countries = countries.values.sorted { byteOrder($0.country, $1.country) }

        // §4.8 and the debtor flags of §6.
        for index in report.debtors.indices {
            let debtor = report.debtors[index]
            LevelRules.debtor(
                &report.debtors[index], group: groups[debtor.groupRef]!, country: countries[debtor.country]!,
                insurance: portfolio.insurance[debtor.debtorRef], asOf: date, policy: policy)
        }

        // §4.9: the portfolio.
        var summary = RiskReport.PortfolioRow()
        for pair in report.pairs {
            summary.gross += pair.gross
            summary.eligible += pair.eligible
            summary.guaranteed += pair.guaranteed
            summary.covered += pair.covered
            summary.riskWeighted += pair.riskWeighted
        }
        summary.unremitted = report.clients.reduce(0) { $0 + $1.unremitted }
        summary.netLoss = report.debtors.reduce(0) { $0 + $1.netLoss }
        let covered = report.debtors.map { Int128($0.covered) }
        let coveredSum = covered.reduce(0, +)
        if coveredSum != 0 {
            let squares = covered.reduce(Int128(0)) { $0 + $1 * $1 }
            summary.hhiPPM = Int64(Rulebook.floorDivide(squares * 1_000_000, coveredSum * coveredSum))
            let top10 = covered.sorted(by: >).prefix(10).reduce(0, +)
            summary.top10ShareBP = Int64(Rulebook.floorDivide(top10 * 10_000, coveredSum))
        }
        summary.clients = report.clients.count
        summary.debtors = report.debtors.count
        summary.documents = parts.values.reduce(0) { $0 + $1.count }
        let allFlags = report.clients.flatMap(\.flags) + report.debtors.flatMap(\.flags) + report.groups.flatMap(\.flags)
            + report.countries.flatMap(\.flags)
        for flag in allFlags { summary.flagsCount[flag, default: 0] += 1 }
        summary.missingFX = missingFX.sorted(by: byteOrder)
        summary.missingFXCollections = missingCollections.sorted(by: byteOrder)
        summary.missingFXRemittances = missingRemittances.sorted(by: byteOrder)
        report.portfolio = summary
        return report
    }
}
