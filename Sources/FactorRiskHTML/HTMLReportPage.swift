import FactorRiskCore

/// The page being written: one input and the warning level of its debtor chart. Each section, and each
/// chart, is written by an extension of its own (`HTMLReportPage+Summary.swift`, …).
struct HTMLReportPage {
    let input: HTMLReportInput
    let warnBP: Int64

    var report: RiskReport { input.report }

    typealias M = HTMLMarkup
    typealias N = HTMLNumbers

    // Colours. Every chart also says in text what the colour says.
    static let ink = "#1b1f24"
    static let dark = "#1f4e79"
    static let light = "#c9d7e6"
    static let red = "#c0392b"
    static let amber = "#b9770e"
    static let grid = "#d5dbe1"
    static let muted = "#5b6570"

    func money(_ minor: Int64) -> String { Money.format(minor, exponent: report.currency.exponent, grouping: true) }

    func document() -> String {
        let title = "Risk report: \(input.tenantName) (\(report.tenantRef)), \(report.asOf)"
        var body = ""
        body += "<header>"
        body += M.text("h1", [:], "Risk report: \(input.tenantName)")
        body += M.text("p", ["class": "sub"],
                       "Tenant \(report.tenantRef) · as of \(report.asOf) · amounts in \(report.currency.code) · computed at \(input.computedAt)")
        body += "</header>\n<main>\n"
        body += summary() + "\n"
        body += countries() + "\n"
        body += debtors() + "\n"
        body += cutsComing() + "\n"
        body += insurance() + "\n"
        body += ifTheyFailed() + "\n"
        body += concentration() + "\n"
        body += ageing() + "\n"
        body += flagSection(id: "breaches", title: "Breaches", level: .breach) + "\n"
        body += flagSection(id: "warnings", title: "Warnings", level: .warning) + "\n"
        body += confidential() + "\n"
        body += cash() + "\n"
        body += "</main>\n"
        body += M.text("footer", [:],
                       "\(input.tenantName) (\(report.tenantRef)) · snapshot as of \(report.asOf) · computed at \(input.computedAt) · amounts in \(report.currency.code)")
        return """
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8"/>
            <meta name="viewport" content="width=device-width, initial-scale=1"/>
            \(M.text("title", [:], title))
            <style>
            \(Self.styles)</style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }

    /// The stylesheet. It holds no `<`, `>`, `&` or `"`, so it reads the same to an HTML and an XML parser.
    static let styles = String(decoding: PackageResources.HTMLReport_css, as: UTF8.self)
}
