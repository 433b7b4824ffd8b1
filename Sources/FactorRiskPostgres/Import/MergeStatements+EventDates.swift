extension MergeStatements {
    /// After a merge of document events: the documents whose events it wrote carry the date of their
    /// event of each kind again (`paid_on`, `refused_on`, `deposited_on`, migration 0012), read back
    /// from `document_events` so that a changed date replaces the old one. Only documents whose
    /// dates differ are rewritten: a re-import of the same events writes nothing.
    var documentEventDates: String {
        """
        UPDATE documents d SET paid_on = e.paid_on, refused_on = e.refused_on, deposited_on = e.deposited_on
        FROM (
            SELECT ev.doc_ref,
                   max(ev.event_date) FILTER (WHERE ev.event = 'paid') AS paid_on,
                   max(ev.event_date) FILTER (WHERE ev.event = 'refused') AS refused_on,
                   max(ev.event_date) FILTER (WHERE ev.event = 'deposited') AS deposited_on
            FROM document_events ev
            JOIN (SELECT DISTINCT doc_ref FROM \(resolved)) r ON r.doc_ref = ev.doc_ref
            WHERE ev.tenant_id = \(tenant)
            GROUP BY ev.doc_ref
        ) e
        WHERE d.tenant_id = \(tenant) AND d.doc_ref = e.doc_ref
          AND (d.paid_on, d.refused_on, d.deposited_on) IS DISTINCT FROM (e.paid_on, e.refused_on, e.deposited_on)
        """
    }
}
