import FactorRiskCore

/// What the rulebook needs of a tenant besides its rows: base currency, home country, own funds and policy.
public struct TenantSettings: Sendable {
    public var tenantID: Int64
    public var tenant: Portfolio.Tenant
    public var policy: Policy

    /// The columns `decode` reads, from `tenants t LEFT JOIN policies p`.
    static let columns = """
        t.tenant_ref, t.base_currency, t.home_country, t.own_funds,
        p.max_days_from_invoice, p.max_days_past_due, p.cross_age_bp, p.cover_domestic_bp, p.cover_foreign_bp,
        p.concentration_cap_notified_bp, p.concentration_cap_delegated_bp, p.concentration_cap_confidential_bp,
        p.weight_notified_bp, p.weight_delegated_bp, p.weight_confidential_bp, array_to_string(p.country_cap_bp, ','),
        p.default_country_grade, p.large_exposure_report_bp, p.large_exposure_limit_bp, p.utilization_warn_bp,
        p.confidential_min_revenue, p.confidential_max_grade,
        p.remittance_days, p.deposit_days, p.dilution_window_days, p.dilution_allowance_bp, p.dilution_warn_bp, p.duplicate_days,
        p.round_window_days, p.round_unit, p.round_min_invoices, p.round_warn_bp, p.new_debtor_days, p.new_debtor_warn_bp,
        p.slow_payer_days, p.insurance_notice_days, p.limit_notice_days
        """

    /// How many columns `decode` reads.
    static let columnCount = 37

    /// Reads the settings of `tenantID`; a tenant without a policy row has the rulebook's defaults.
    /// Nil when the tenant is not visible (unknown, or another tenant's under row-level security).
    public static func load(_ connection: PGConnection, tenantID: Int64) throws -> TenantSettings? {
        guard let row = try connection.query(
            "SELECT \(columns) FROM tenants t LEFT JOIN policies p ON p.tenant_id = t.tenant_id WHERE t.tenant_id = $1", [tenantID]
        ).first else { return nil }
        return try decode(row, tenantID: tenantID)
    }

    /// The settings from a row whose first columns are `columns`.
    static func decode(_ row: PGRow, tenantID: Int64) throws -> TenantSettings {
        guard let currency = Currency.iso(try row.decode(String.self, at: 1)) else {
            throw PGError(.decoding, message: "tenant \(tenantID) has an unknown base currency")
        }
        let tenant = Portfolio.Tenant(
            ref: try row.decode(at: 0), baseCurrency: currency, homeCountry: try row.decode(at: 2), ownFunds: try row.decode(at: 3))
        var policy = Policy()
        if let days = try row.decode(Int?.self, at: 4) {
            policy.maxDaysFromInvoice = days
            policy.maxDaysPastDue = try row.decode(at: 5)
            policy.crossAgeBP = try row.decode(at: 6)
            policy.coverDomesticBP = try row.decode(at: 7)
            policy.coverForeignBP = try row.decode(at: 8)
            policy.concentrationCapBP = [
                .notified: try row.decode(at: 9), .delegated: try row.decode(at: 10), .confidential: try row.decode(at: 11),
            ]
            policy.weightBP = [.notified: try row.decode(at: 12), .delegated: try row.decode(at: 13), .confidential: try row.decode(at: 14)]
            policy.countryCapBP = try row.decode(String.self, at: 15).split(separator: ",").map { part in
                guard let value = Int64(part) else { throw PGError(.decoding, message: "policy country_cap_bp: \"\(part)\" is not an integer") }
                return value
            }
            policy.defaultCountryGrade = try row.decode(at: 16)
            policy.largeExposureReportBP = try row.decode(at: 17)
            policy.largeExposureLimitBP = try row.decode(at: 18)
            policy.utilizationWarnBP = try row.decode(at: 19)
            policy.confidentialMinRevenue = try row.decode(at: 20)
            policy.confidentialMaxGrade = try row.decode(at: 21)
            policy.remittanceDays = try row.decode(at: 22)
            policy.depositDays = try row.decode(at: 23)
            policy.dilutionWindowDays = try row.decode(at: 24)
            policy.dilutionAllowanceBP = try row.decode(at: 25)
            policy.dilutionWarnBP = try row.decode(at: 26)
            policy.duplicateDays = try row.decode(at: 27)
            policy.roundWindowDays = try row.decode(at: 28)
            policy.roundUnit = try row.decode(at: 29)
            policy.roundMinInvoices = try row.decode(at: 30)
            policy.roundWarnBP = try row.decode(at: 31)
            policy.newDebtorDays = try row.decode(at: 32)
            policy.newDebtorWarnBP = try row.decode(at: 33)
            policy.slowPayerDays = try row.decode(at: 34)
            policy.insuranceNoticeDays = try row.decode(at: 35)
            policy.limitNoticeDays = try row.decode(at: 36)
        }
        return TenantSettings(tenantID: tenantID, tenant: tenant, policy: policy)
    }

    /// A country's risk as §3 reads it: the listed row, or the policy's default grade.
    public func risk(grade: Int?, embargoed: Bool?, explicitLimit: Int64?) -> Portfolio.Country {
        guard let grade else { return Portfolio.Country(grade: policy.defaultCountryGrade, embargoed: false, limit: nil) }
        return Portfolio.Country(grade: grade, embargoed: embargoed ?? false, limit: explicitLimit)
    }
}
