/// RULEBOOK.md §9.1 and §9.2 over the changes of one limit: a debtor's credit limit, or one pair's
/// approval. The reference engine, the live answers and the list of a debtor's changes read a
/// limit's history through these rules; the production engine states them in SQL.
public enum LimitHistory {
    /// Where a change stands on a date.
    public enum Status: String, Sendable, CaseIterable {
        /// The change that gives the value in force (§9.1).
        case inForce = "in_force"
        /// Announced, not yet effective (§9.2).
        case pending
        /// Effective, but a later change overrides it.
        case past
        /// Not yet announced on the date: neither in force nor pending.
        case unannounced
    }

    /// §9.1: among the changes effective on or before `date` (and so announced by then), the latest
    /// by (`effective_on`, `announced_on`, `change_ref` in byte order); nil when there is none.
    public static func inForce(_ changes: [Portfolio.LimitChange], on date: CalendarDate) -> Portfolio.LimitChange? {
        changes.filter { $0.effectiveOn <= date && $0.announcedOn <= date }.max(by: isEarlier)
    }

    /// §9.2: the next pending change (`announced_on ≤ D < effective_on`): the earliest `effective_on`,
    /// ties to the latest `announced_on`, then the greatest `change_ref`; nil when none is pending.
    public static func nextPending(_ changes: [Portfolio.LimitChange], on date: CalendarDate) -> Portfolio.LimitChange? {
        changes.filter { $0.announcedOn <= date && date < $0.effectiveOn }.min { a, b in
            if a.effectiveOn != b.effectiveOn { return a.effectiveOn < b.effectiveOn }
            if a.announcedOn != b.announcedOn { return a.announcedOn > b.announcedOn }
            return byteOrder(b.ref, a.ref)
        }
    }

    /// The value in force on `date`: the change's, else `file` (the value of debtors.csv or approvals.csv).
    public static func value(_ changes: [Portfolio.LimitChange], file: Int64, on date: CalendarDate) -> Int64 {
        inForce(changes, on: date)?.newLimit ?? file
    }

    /// Each change with where it stands on `date`.
    public static func statuses(_ changes: [Portfolio.LimitChange], on date: CalendarDate) -> [(Portfolio.LimitChange, Status)] {
        let current = inForce(changes, on: date)
        return changes.map { change in
            let status: Status =
                if change.announcedOn > date { .unannounced }
                else if change.effectiveOn > date { .pending }
                else if change.ref == current?.ref { .inForce }
                else { .past }
            return (change, status)
        }
    }

    /// The order of §9.1: by `effective_on`, then `announced_on`, then `change_ref` in byte order.
    public static func isEarlier(_ a: Portfolio.LimitChange, _ b: Portfolio.LimitChange) -> Bool {
        if a.effectiveOn != b.effectiveOn { return a.effectiveOn < b.effectiveOn }
        if a.announcedOn != b.announcedOn { return a.announcedOn < b.announcedOn }
        return byteOrder(a.ref, b.ref)
    }
}
