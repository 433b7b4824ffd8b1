// The ranking of the worst single defaults as one document, as `whatif --worst N` and
// `GET /v1/scenarios/worst` answer it.
extension WorstDefault {
    /// FORMATS.md's answer: `{"tenant", "as_of", "currency", "rows": [...]}`, each row as
    /// `json(exponent:)` writes it, in the order given (the ranking's).
    public static func rankingJSON(_ rows: [WorstDefault], tenant: String, asOf date: CalendarDate, currency: Currency) -> JSONText {
        .object([
            ("tenant", .string(tenant)), ("as_of", .string(date.description)), ("currency", .string(currency.code)),
            ("rows", .array(rows.map { $0.json(exponent: currency.exponent) })),
        ])
    }
}
