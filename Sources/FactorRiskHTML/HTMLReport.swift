import FactorRiskCore

/// The risk analysts' report: one self-contained HTML5 page for one tenant and date.
///
/// Everything is inline (styles, charts as SVG); there is no script and no reference to anything
/// outside the page, so it can be mailed, archived and printed as it is. The markup is also
/// well-formed XML after the doctype (every element closed, void elements self-closed, attributes
/// quoted, text escaped), so strict tools can read it.
///
/// Every figure comes from the input. Money is formatted from integer minor units with the base
/// currency's digits; basis points and ppm become percentages by moving the decimal point, never
/// through floating point. Chart geometry is integer pixel arithmetic.
public enum HTMLReport {
    /// The page, with the warning line of the debtor chart at the rulebook's default (8000 bp).
    public static func render(_ input: HTMLReportInput) -> String {
        render(input, utilizationWarnBP: input.utilizationWarnBP)
    }

    /// The page, with the warning line of the debtor chart at `utilizationWarnBP` (the tenant's
    /// `utilization_warn_bp`, which the DEBTOR_LIMIT_WARN flags of the snapshot were computed with).
    public static func render(_ input: HTMLReportInput, utilizationWarnBP: Int64) -> String {
        HTMLReportPage(input: input, warnBP: utilizationWarnBP).document()
    }

    /// The most countries the country chart draws (the table lists them all).
    static let countryChartRows = 25
    /// The debtors the debtor section shows, by utilization.
    static let topDebtors = 20
    /// "Cuts coming" lists the changes that take effect fewer than this many days after the as-of date.
    static let cutWindowDays = 30
    /// The debtors, by covered, whose insured share the insurance section shows.
    static let insuredDebtors = 10
}
