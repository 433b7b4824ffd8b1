import FactorRiskCore

extension BundleColumn {
    /// The staging column's SQL type, from the column's kind: values arrive normalised (money in
    /// minor units, rates in their canonical spelling), so the type only has to hold them.
    var stagingType: String {
        switch kind {
        case .tenantRef, .reference, .name, .country, .currency, .oneOf: "text"
        // An amount in its document's currency arrives as written; it becomes minor units in the merge.
        case .money(.document): "numeric"
        case .money: "bigint"
        case .date: "date"
        case .boolean: "boolean"
        case .rate: "numeric"
        case .integer(let range):
            if range.lowerBound >= Int(Int16.min) && range.upperBound <= Int(Int16.max) {
                "smallint"
            } else if range.lowerBound >= Int(Int32.min) && range.upperBound <= Int(Int32.max) {
                "integer"
            } else {
                "bigint"
            }
        }
    }

    /// The column of the same row naming the document whose currency this amount is written in.
    var documentCurrencyReference: String? {
        if case .money(.document(let column)) = kind { column } else { nil }
    }

    /// The file this column names a row of, when it is a reference to another file.
    var referencedFile: BundleFile? {
        if case .reference(let file) = kind { file } else { nil }
    }
}
