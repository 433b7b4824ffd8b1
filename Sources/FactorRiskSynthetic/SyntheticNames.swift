/// Company names for the synthetic portfolio, a pure function of the seed and the row.
///
/// Names are not keys, so collisions are harmless; what matters is that they look like the
/// ledger of a French factor (surname, trade, legal form) when someone opens the CSV, and that
/// they cost no random draws, so renaming never shifts the amounts.
enum SyntheticNames {
    private static let frenchSurnames = [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau",
        "Simon", "Laurent", "Lefebvre", "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier",
        "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert", "Bonnet", "François", "Martinez", "Legrand",
        "Garnier", "Faure", "Rousseau", "Blanc", "Guérin", "Muller", "Henry", "Roussel", "Nicolas", "Perrin",
        "Morin", "Mathieu", "Clément", "Gauthier", "Dumont", "Lopez", "Fontaine", "Chevalier", "Robin", "Masson",
    ]
    private static let frenchTrades = [
        "Transports", "Logistique", "Bâtiment", "Distribution", "Industries", "Emballages", "Métallurgie",
        "Agroalimentaire", "Textile", "Électronique", "Services", "Négoce", "Plastiques", "Imprimerie",
        "Menuiserie", "Mécanique", "Chimie", "Informatique", "Conseil", "Équipements", "Matériaux",
        "Froid Industriel", "Peintures", "Papeterie", "Composants", "Automatismes", "Travaux Publics",
        "Nettoyage", "Sécurité", "Boissons",
    ]
    private static let foreignSurnames = [
        "Schmidt", "Rossi", "Fernández", "Janssens", "de Vries", "Smith", "Johnson", "Keller", "Silva",
        "Nielsen", "Novak", "Kowalski", "Yilmaz", "Tanaka", "Wang", "Benali", "Haddad", "Andersson",
        "Popescu", "Papadopoulos", "Murphy", "Virtanen", "Horvath", "Santos", "Kumar", "Cohen", "Diallo",
        "Müller", "Ricci", "Brown",
    ]
    private static let foreignTrades = [
        "Trading", "Logistics", "Industries", "Foods", "Retail", "Systems", "Components", "Materials",
        "Holding", "Supply", "Engineering", "Distribution", "Technologies", "Chemicals", "Textiles",
    ]

    /// The name of client or debtor `index` of country `country`; `salt` separates the two kinds.
    static func company(index: Int, country: SyntheticCountry, seed: UInt64, salt: UInt64) -> String {
        var bits = SplitMix64.stream(salt, of: seed ^ (UInt64(index) &* 0x9E37_79B9_7F4A_7C15))
        let french = country.code == "FR" || country.code == "BE" || country.code == "LU"
            || country.code == "MA" || country.code == "TN" || country.code == "SN" || country.code == "CI"
            || country.code == "DZ"
        let surnames = french ? frenchSurnames : foreignSurnames
        let trades = french ? frenchTrades : foreignTrades
        let first = surnames[bits.below(surnames.count)]
        let trade = trades[bits.below(trades.count)]
        let form = country.legalForms[bits.below(country.legalForms.count)]
        switch bits.below(4) {
        case 0:
            let second = surnames[bits.below(surnames.count)]
            return first == second ? "\(first) & Fils \(trade) \(form)" : "\(first)-\(second) \(trade) \(form)"
        default:
            return "\(first) \(trade) \(form)"
        }
    }

    /// "acme" → "Acme Factoring", "nord-est_factor" → "Nord Est Factor Factoring".
    static func tenant(ref: String) -> String {
        let words = ref.split(whereSeparator: { $0 == "-" || $0 == "_" || $0 == " " || $0 == "." })
        let capitalized = words.map { $0.prefix(1).uppercased() + $0.dropFirst() }
        return capitalized.isEmpty ? "Factoring" : capitalized.joined(separator: " ") + " Factoring"
    }
}
