extension MergeStatements {
    /// The kinds of document event whose dates a document carries (migration 0012: `paid_on`, …).
    private static let eventKinds = ["paid", "refused", "deposited"]

    /// Per document named in `events` (a relation of `doc_ref`, `event`, `event_date`): the date of
    /// its event of each kind there, as `e.paid_on`, `e.refused_on`, `e.deposited_on`.
    private static func eventDatesByDocument(_ events: String) -> String {
        let dates = eventKinds.map { "max(w.event_date) FILTER (WHERE w.event = '\($0)') AS \($0)_on" }
        return "(SELECT w.doc_ref, \(dates.joined(separator: ", ")) FROM \(events) w GROUP BY w.doc_ref) e"
    }

    /// After a merge of document events: the documents whose events it wrote carry the date of their
    /// event of each kind again (`paid_on`, `refused_on`, `deposited_on`, migration 0012).
    ///
    /// `written` holds the events the merge wrote (`resolved`, or the staged rows when all were new),
    /// and a document has one event of each kind (the table's key): the date of a kind is the
    /// written event's when there is one, and else the one the document carries already, which every
    /// merge of events keeps equal to its stored event. So the events the merge did not touch are
    /// not read back (for 1.2 million new events, 4.5 s of reading instead of 8.4 s), and only
    /// documents whose dates differ are rewritten. `tenant` is the tenant id, rendered.
    static func documentEventDates(tenant: String, from written: String) -> String {
        let dates = eventKinds.map { "COALESCE(e.\($0)_on, d.\($0)_on)" }
        return """
            UPDATE documents d SET \(eventKinds.map { "\($0)_on = COALESCE(e.\($0)_on, d.\($0)_on)" }.joined(separator: ", "))
            FROM \(eventDatesByDocument(written))
            WHERE d.tenant_id = \(tenant) AND d.doc_ref = e.doc_ref
              AND (d.paid_on, d.refused_on, d.deposited_on) IS DISTINCT FROM (\(dates.joined(separator: ", ")))
            """
    }

    /// `insertAll` for documents imported with their events (`stagedEvents`, the staging table of
    /// document_events.csv) into a tenant with no document yet: each document is inserted with the
    /// dates of its staged events, which are then all of its events. Rewriting a million documents
    /// after their events are merged took 15 to 20 s, twice as long as inserting them.
    func insertAll(withEventDatesOf stagedEvents: String) -> String {
        let all = (key + columns).map { "r.\($0)" }.joined(separator: ", ")
        let dates = Self.eventKinds.map { "\($0)_on" }
        return """
            INSERT INTO \(table) (tenant_id, \((key + columns + dates).joined(separator: ", ")))
            SELECT \(tenant), \(all), \(dates.map { "e.\($0)" }.joined(separator: ", "))
            FROM (\(source)) r LEFT JOIN \(Self.eventDatesByDocument(stagedEvents)) ON e.doc_ref = r.doc_ref
            ORDER BY \(key.map { "r.\($0)" }.joined(separator: ", "))
            """
    }
}
