import FactorRiskCore

// 6. Breaches and warnings: one row per flag, with the figure that raised it.
extension HTMLReportPage {
    struct FlagEntry {
        var subject: String
        var ref: String
        var flag: RiskFlag
        var measure: String
        var value: String
        var against: String
    }

    func flagEntries(_ level: RiskFlag.Level) -> [FlagEntry] {
        var entries: [FlagEntry] = []
        for row in report.debtors {
            for flag in row.flags where flag.level == level {
                let util = "credit limit \(money(row.creditLimit)) (\(N.percent(bp: row.utilizationBP)) used)"
                switch flag {
                case .debtorOverAllocated:
                    entries.append(.init(subject: "debtor", ref: row.debtorRef, flag: flag, measure: "approved total",
                                         value: money(row.approvedTotal), against: "credit limit \(money(row.creditLimit))"))
                case .debtorSlowPayer:
                    entries.append(.init(subject: "debtor", ref: row.debtorRef, flag: flag, measure: "guaranteed",
                                         value: money(row.guaranteed),
                                         against: "\(row.pastDueDays.map(N.integer) ?? "—") days past due on average"))
                case .limitCutPending:
                    entries.append(.init(subject: "debtor", ref: row.debtorRef, flag: flag, measure: "projected excess",
                                         value: money(row.projectedExcess),
                                         against: "pending limit \(row.pendingLimit.map(money) ?? "—") from \(row.pendingOn?.description ?? "—"), "
                                             + "guaranteed \(money(row.guaranteed)), credit limit \(money(row.creditLimit))"))
                case .uninsuredExposure:
                    entries.append(.init(subject: "debtor", ref: row.debtorRef, flag: flag, measure: "covered", value: money(row.covered),
                                         against: "insured \(money(row.insured)), net loss \(money(row.netLoss))"))
                default:
                    entries.append(.init(subject: "debtor", ref: row.debtorRef, flag: flag, measure: "guaranteed",
                                         value: money(row.guaranteed), against: util))
                }
            }
        }
        for row in report.groups {
            for flag in row.flags where flag.level == level {
                entries.append(.init(subject: "group", ref: row.groupRef, flag: flag, measure: "guaranteed", value: money(row.guaranteed),
                                     against: "limit \(money(row.limit)) (\(N.percent(bp: row.ownFundsBP)) of own funds)"))
            }
        }
        for row in report.countries {
            for flag in row.flags where flag.level == level {
                switch flag {
                case .embargoExposure:
                    entries.append(.init(subject: "country", ref: row.country, flag: flag, measure: "gross", value: money(row.gross),
                                         against: "embargoed (limit \(money(row.limit)), guaranteed \(money(row.guaranteed)))"))
                default:
                    entries.append(.init(subject: "country", ref: row.country, flag: flag, measure: "guaranteed", value: money(row.guaranteed),
                                         against: "limit \(money(row.limit)) (\(N.percent(bp: row.utilizationBP)) used)"))
                }
            }
        }
        for row in report.clients {
            for flag in row.flags where flag.level == level {
                let entry: (String, String, String)
                switch flag {
                case .overAdvance:
                    entry = ("availability", money(row.availability),
                             "funding capacity \(money(row.fundingCapacity)), funded \(money(row.fundedBalance))")
                case .concentrationExcess:
                    entry = ("concentration excess", money(row.concentrationExcess), "cap per debtor \(money(row.concentrationCap))")
                case .crossAged:
                    let pairs = report.pairs.filter { $0.clientRef == row.clientRef && $0.crossAged }.map(\.debtorRef)
                    entry = ("aged and cross-aged (ineligible)", money(row.ineligible.aged + row.ineligible.crossAged),
                             "cross-aged with \(pairs.isEmpty ? "—" : pairs.joined(separator: ", "))")
                case .unremittedCollections:
                    entry = ("unremitted", money(row.unremitted),
                             "collected \(money(row.collected)), remitted \(money(row.remitted)), oldest not passed on "
                                 + "\(row.unremittedDays.map(N.integer) ?? "—") days ago")
                case .paidStillOpen:
                    entry = ("paid still open (ineligible)", money(row.ineligible.paid), "reported paid on the e-invoicing platform")
                case .dilutionHigh:
                    entry = ("dilution reserve", money(row.dilutionReserve), "dilution \(N.percent(bp: row.dilutionBP))")
                case .duplicateSuspect:
                    entry = ("eligible", money(row.eligible), "\(N.integer(row.duplicateSuspects)) duplicate suspect invoices")
                case .roundAmounts:
                    entry = ("eligible", money(row.eligible),
                             "\(N.percent(bp: row.roundShareBP)) of \(N.integer(row.roundInvoices)) recent invoices in round amounts")
                case .newDebtorConcentration:
                    entry = ("new debtors' eligible", money(row.newDebtorEligible), "of eligible \(money(row.eligible))")
                case .approvalCutPending:
                    let cuts = report.pairs.filter { $0.clientRef == row.clientRef && Self.guaranteedCut($0) > 0 }
                        .map { "\($0.debtorRef) to \($0.pendingApproved.map(money) ?? "—") from \($0.pendingOn?.description ?? "—")" }
                    entry = ("approval cut", money(row.approvalCut), "pending approvals: \(cuts.isEmpty ? "—" : cuts.joined(separator: ", "))")
                case .confidentialBelowRevenue, .confidentialWeakFinancials, .confidentialMode:
                    entry = ("guaranteed", money(row.guaranteed), "mode \(row.mode.rawValue), tier \(row.tierLetter)")
                default:
                    entry = ("guaranteed", money(row.guaranteed), "mode \(row.mode.rawValue)")
                }
                entries.append(.init(subject: "client", ref: row.clientRef, flag: flag, measure: entry.0, value: entry.1, against: entry.2))
            }
        }
        // In the order of the rulebook's table of flags, then by reference.
        return entries.sorted { $0.flag != $1.flag ? $0.flag < $1.flag : Self.byteOrder($0.ref, $1.ref) }
    }

    func flagSection(id: String, title: String, level: RiskFlag.Level) -> String {
        let entries = flagEntries(level)
        guard !entries.isEmpty else { return section(id, title, none()) }
        let out = M.text("p", [:], "\(N.integer(entries.count)) \(level.rawValue) flag\(entries.count == 1 ? "" : "s"), by code.")
            + table([Column(title: "Subject"), Column(title: "Reference"), Column(title: "Code"), Column(title: "Figure"),
                     Column(title: report.currency.code, numeric: true), Column(title: "Against")],
                    entries.map {
                        [M.escape($0.subject), M.escape($0.ref), flagChips([$0.flag]), M.escape($0.measure), $0.value, M.escape($0.against)]
                    })
        return section(id, title, out)
    }
}
