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
}

// MARK: - Markup

/// Escaping and element writing: the one place text becomes markup.
enum HTMLMarkup {
    /// Text or an attribute value as markup: `&`, `<`, `>`, `"` and `'` as entities, and the
    /// characters XML 1.0 does not allow (most control characters) replaced by U+FFFD.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            case "\t", "\n", "\r": out.unicodeScalars.append(scalar)
            default:
                let value = scalar.value
                if value < 0x20 || (0x7F...0x9F).contains(value) || value == 0xFFFE || value == 0xFFFF {
                    out.unicodeScalars.append("\u{FFFD}")
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    static func attributes(_ attributes: KeyValuePairs<String, String>) -> String {
        var out = ""
        for (name, value) in attributes { out += " \(name)=\"\(escape(value))\"" }
        return out
    }

    /// An element around `content`, which is markup already.
    static func element(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ content: String) -> String {
        "<\(name)\(Self.attributes(attributes))>\(content)</\(name)>"
    }

    /// An element around plain text.
    static func text(_ name: String, _ attributes: KeyValuePairs<String, String> = [:], _ text: String) -> String {
        element(name, attributes, escape(text))
    }

    /// An element without content, self-closed (a void HTML element, or an SVG shape).
    static func empty(_ name: String, _ attributes: KeyValuePairs<String, String>) -> String {
        "<\(name)\(Self.attributes(attributes))/>"
    }
}

// MARK: - Numbers

/// Integer-only formatting and scaling of the report's figures.
enum HTMLNumbers {
    /// Basis points as a percentage with two decimals: 8333 → "83.33 %"; nil (a zero denominator) → "—".
    static func percent(bp: Int64?) -> String {
        guard let bp else { return "—" }
        return Money.format(bp, exponent: 2, grouping: true) + " %"
    }

    /// Parts per million as an exact percentage: 475278 → "47.5278 %".
    static func percent(ppm: Int64?) -> String {
        guard let ppm else { return "—" }
        return Money.format(ppm, exponent: 4, grouping: true) + " %"
    }

    /// A whole percentage for axis ticks: 2500 bp → "25 %" (ticks are whole percents).
    static func wholePercent(bp: Int64) -> String { integer(bp / 100) + " %" }

    /// A count or an integer figure with thousands separators.
    static func integer(_ value: Int64) -> String { Money.format(value, exponent: 0, grouping: true) }
    static func integer(_ value: Int) -> String { integer(Int64(value)) }

    /// `ratio_bp(a, b)` of RULEBOOK.md §2: floor(a × 10000 / b), nil when b is 0.
    static func ratioBP(_ a: Int64, _ b: Int64) -> Int64? {
        guard b != 0 else { return nil }
        let quotient = Int128(a) * 10_000 / Int128(b)
        let remainder = Int128(a) * 10_000 % Int128(b)
        // Swift truncates toward zero; step down for a negative, inexact quotient (floor).
        let floored = (remainder != 0 && (remainder < 0) != (b < 0)) ? quotient - 1 : quotient
        return Int64(clamping: floored)
    }

    /// `value` of `maximum` as a length of `length` pixels, 0 for values at or below 0, `length` at or above the maximum.
    static func scaled(_ value: Int64, of maximum: Int64, to length: Int) -> Int {
        guard maximum > 0, value > 0 else { return 0 }
        return Int(Int128(min(value, maximum)) * Int128(length) / Int128(maximum))
    }
}

// MARK: - The page

private struct HTMLReportPage {
    let input: HTMLReportInput
    let warnBP: Int64

    var report: RiskReport { input.report }

    private typealias M = HTMLMarkup
    private typealias N = HTMLNumbers

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
        body += concentration() + "\n"
        body += ageing() + "\n"
        body += flagSection(id: "breaches", title: "Breaches", level: .breach) + "\n"
        body += flagSection(id: "warnings", title: "Warnings", level: .warning) + "\n"
        body += confidential() + "\n"
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
            <style>\(Self.styles)</style>
            </head>
            <body>
            \(body)
            </body>
            </html>

            """
    }

    /// The stylesheet. It holds no `<`, `>`, `&` or `"`, so it reads the same to an HTML and an XML parser.
    static let styles = """

        @page { size: A4; margin: 15mm; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 1000px; padding: 24px 16px; color: #1b1f24; background: #ffffff;
          font-family: system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, 'Noto Sans', 'Liberation Sans', sans-serif;
          font-size: 14px; line-height: 1.45; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        header { margin-bottom: 20px; }
        h1 { font-size: 22px; margin: 0 0 4px; }
        h2 { font-size: 17px; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 2px solid #1f4e79; }
        h3 { font-size: 14px; margin: 14px 0 6px; }
        p { margin: 6px 0; }
        .sub, .note, footer { color: #5b6570; }
        .note, footer { font-size: 12px; }
        footer { margin-top: 24px; border-top: 1px solid #d5dbe1; padding-top: 6px; }
        section { margin: 0 0 28px; break-inside: avoid; page-break-inside: avoid; }
        table { width: 100%; border-collapse: collapse; margin: 8px 0; font-size: 13px; }
        th, td { padding: 3px 6px; border-bottom: 1px solid #d5dbe1; text-align: left; vertical-align: top; }
        thead th { background: #eef2f6; font-weight: 600; }
        tbody th { font-weight: 600; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        td.num { white-space: nowrap; }
        .neg { color: #a61b0e; font-weight: 600; }
        tfoot td { font-weight: 600; border-top: 2px solid #9aa5b1; }
        tbody.with-detail { break-inside: avoid; page-break-inside: avoid; }
        tbody.with-detail tr:first-child td { border-bottom: none; }
        tr.detail td { padding-top: 0; padding-left: 18px; }
        .label { color: #5b6570; }
        thead { display: table-header-group; }
        tr { break-inside: avoid; page-break-inside: avoid; }
        svg { display: block; width: 100%; height: auto; margin: 8px 0 4px; }
        svg text { font-family: inherit; }
        .flag { display: inline-block; margin: 0 4px 2px 0; padding: 0 4px; border: 1px solid; border-radius: 3px; font-size: 11px; white-space: nowrap; }
        .flag.breach { color: #8e1b10; border-color: #c0392b; background: #fbe9e7; }
        .flag.warning { color: #7a4d05; border-color: #b9770e; background: #fdf2dc; }
        .flag.info { color: #1f4e79; border-color: #8fb0cf; background: #eaf1f8; }
        .none { color: #5b6570; font-style: italic; }
        @media print {
          body { max-width: none; padding: 0; font-size: 11px; }
          table { font-size: 10px; }
          .flag { font-size: 9px; }
          section { margin-bottom: 16px; }
        }

        """

    // MARK: Pieces

    func section(_ id: String, _ title: String, _ content: String) -> String {
        M.element("section", ["id": id], M.text("h2", [:], title) + content)
    }

    func none(_ text: String = "None") -> String { M.text("p", ["class": "none"], text) }

    func flagChips(_ flags: [RiskFlag]) -> String {
        guard !flags.isEmpty else { return "—" }
        return flags.map { M.text("span", ["class": "flag \($0.level.rawValue)"], $0.rawValue) }.joined(separator: " ")
    }

    struct Column {
        var title: String
        var numeric = false
    }

    /// A table; each cell is markup already. A numeric cell holding a negative figure is marked.
    /// With `details`, each row is followed by a line of its own across the whole table (markup),
    /// and the two are kept together on a page.
    func table(_ columns: [Column], _ rows: [[String]], footer: [String]? = nil, details: [String]? = nil) -> String {
        var head = ""
        for column in columns {
            head += column.numeric ? M.text("th", ["class": "num", "scope": "col"], column.title) : M.text("th", ["scope": "col"], column.title)
        }
        func row(_ cells: [String]) -> String {
            var out = ""
            for (index, cell) in cells.enumerated() {
                let numeric = index < columns.count && columns[index].numeric
                if numeric {
                    out += M.element("td", ["class": cell.hasPrefix("-") ? "num neg" : "num"], cell)
                } else {
                    out += M.element("td", [:], cell)
                }
            }
            return M.element("tr", [:], out)
        }
        var out = M.element("thead", [:], M.element("tr", [:], head))
        if let details {
            for (cells, detail) in zip(rows, details) {
                let line = M.element("tr", ["class": "detail"], M.element("td", ["colspan": "\(columns.count)"], detail))
                out += M.element("tbody", ["class": "with-detail"], row(cells) + line) + "\n"
            }
        } else {
            out += M.element("tbody", [:], rows.map(row).joined(separator: "\n"))
        }
        if let footer { out += M.element("tfoot", [:], row(footer)) }
        return M.element("table", [:], out)
    }

    /// An SVG chart of a fixed coordinate system, scaled to the page's width.
    func svg(width: Int, height: Int, title: String, _ content: String) -> String {
        M.element("svg", ["viewBox": "0 0 \(width) \(height)", "width": "100%", "role": "img",
                          "preserveAspectRatio": "xMidYMid meet", "font-size": "12", "fill": Self.ink],
                  M.text("title", [:], title) + content)
    }

    func svgText(_ text: String, x: Int, y: Int, anchor: String = "start", size: Int? = nil, weight: String? = nil,
                 fill: String = HTMLReportPage.ink) -> String {
        var out = "<text x=\"\(x)\" y=\"\(y)\" text-anchor=\"\(anchor)\" fill=\"\(fill)\""
        if let size { out += " font-size=\"\(size)\"" }
        if let weight { out += " font-weight=\"\(weight)\"" }
        return out + ">\(M.escape(text))</text>"
    }

    func rect(x: Int, y: Int, width: Int, height: Int, fill: String, stroke: String? = nil) -> String {
        var out = "<rect x=\"\(x)\" y=\"\(y)\" width=\"\(max(0, width))\" height=\"\(max(0, height))\" fill=\"\(fill)\""
        if let stroke { out += " stroke=\"\(stroke)\"" }
        return out + "/>"
    }

    func line(x1: Int, y1: Int, x2: Int, y2: Int, stroke: String, width: Int = 1, dash: String? = nil) -> String {
        var out = "<line x1=\"\(x1)\" y1=\"\(y1)\" x2=\"\(x2)\" y2=\"\(y2)\" stroke=\"\(stroke)\" stroke-width=\"\(width)\""
        if let dash { out += " stroke-dasharray=\"\(dash)\"" }
        return out + "/>"
    }

    /// Byte order of reference strings (RULEBOOK.md §2).
    static func byteOrder(_ a: String, _ b: String) -> Bool { a.utf8.lexicographicallyPrecedes(b.utf8) }

    // MARK: 1. Summary

    func summary() -> String {
        let p = report.portfolio
        var out = ""
        out += table([Column(title: "Tenant"), Column(title: "Reference"), Column(title: "As of"), Column(title: "Currency"),
                      Column(title: "Computed at")],
                     [[M.escape(input.tenantName), M.escape(report.tenantRef), M.escape(report.asOf.description),
                       M.escape("\(report.currency.code) (\(report.currency.exponent) decimals)"), M.escape(input.computedAt)]])

        out += M.text("h3", [:], "Portfolio")
        let hhi = p.hhiPPM.map { "\(N.integer($0)) ppm (\(N.percent(ppm: $0)))" } ?? "— (nothing covered)"
        let rows: [[String]] = [
            ["Gross", money(p.gross), "HHI of covered exposure", hhi],
            ["Eligible", money(p.eligible), "Top-10 debtors' share of covered", N.percent(bp: p.top10ShareBP)],
            ["Guaranteed", money(p.guaranteed), "Clients", N.integer(p.clients)],
            ["Covered", money(p.covered), "Debtors", N.integer(p.debtors)],
            ["Risk-weighted", money(p.riskWeighted), "Documents that took part", N.integer(p.documents)],
        ]
        out += table([Column(title: "Figure"), Column(title: report.currency.code, numeric: true), Column(title: "Figure"),
                      Column(title: "Value", numeric: true)],
                     rows.map { $0.map(M.escape) })
        if !p.missingFX.isEmpty {
            let shown = p.missingFX.prefix(50).joined(separator: ", ")
            let rest = p.missingFX.count > 50 ? " and \(N.integer(p.missingFX.count - 50)) more" : ""
            out += M.text("p", ["class": "note"],
                          "Left out for want of an exchange rate on \(report.asOf) (\(N.integer(p.missingFX.count))): \(shown)\(rest).")
        }

        out += M.text("h3", [:], "Flags by code")
        let counted = p.flagsCount.filter { $0.value != 0 }
        func total(_ level: RiskFlag.Level) -> Int { counted.filter { $0.key.level == level }.reduce(0) { $0 + $1.value } }
        out += M.text("p", [:],
                      "Breaches: \(N.integer(total(.breach))) · warnings: \(N.integer(total(.warning))) · info: \(N.integer(total(.info)))")
        let levels: [RiskFlag.Level] = [.breach, .warning, .info]
        let codes = counted.keys.sorted {
            let (a, b) = (levels.firstIndex(of: $0.level)!, levels.firstIndex(of: $1.level)!)
            return a != b ? a < b : $0 < $1
        }
        if codes.isEmpty {
            out += none("No flags.")
        } else {
            out += table([Column(title: "Code"), Column(title: "Level"), Column(title: "Count", numeric: true)],
                         codes.map { [flagChips([$0]), M.escape($0.level.rawValue), N.integer(counted[$0]!)] })
        }
        return section("summary", "Summary", out)
    }

    // MARK: 2. Countries

    func countries() -> String {
        let sorted = report.countries.sorted {
            $0.guaranteed != $1.guaranteed ? $0.guaranteed > $1.guaranteed : Self.byteOrder($0.country, $1.country)
        }
        guard !sorted.isEmpty else { return section("countries", "Countries", none()) }
        var out = M.text("p", [:],
                         "Guaranteed outstanding against each country's limit, largest first. The limit of an embargoed country is 0.")
        out += countryChart(Array(sorted.prefix(HTMLReport.countryChartRows)))
        if sorted.count > HTMLReport.countryChartRows {
            out += M.text("p", ["class": "note"],
                          "The chart shows the \(HTMLReport.countryChartRows) largest of \(N.integer(sorted.count)) countries; the table lists them all.")
        }
        out += table([Column(title: "Country"), Column(title: "Grade", numeric: true), Column(title: "Embargoed"),
                      Column(title: "Guaranteed", numeric: true), Column(title: "Limit", numeric: true),
                      Column(title: "Utilization", numeric: true), Column(title: "Headroom", numeric: true), Column(title: "Flags")],
                     sorted.map {
                         [M.escape($0.country), N.integer($0.grade), $0.embargoed ? "yes" : "no", money($0.guaranteed), money($0.limit),
                          M.escape(N.percent(bp: $0.utilizationBP)), money($0.headroom), flagChips($0.flags)]
                     })
        return section("countries", "Countries", out)
    }

    func countryChart(_ rows: [RiskReport.CountryRow]) -> String {
        let width = 960, top = 34, rowHeight = 38, labelRight = 190, barLeft = 200, barLength = 420, textLeft = 634
        let height = top + rows.count * rowHeight + 8
        let maximum = rows.map { Swift.max($0.guaranteed, $0.limit) }.max() ?? 0
        var out = ""
        // Legend.
        out += rect(x: barLeft, y: 6, width: 14, height: 12, fill: Self.light)
        out += svgText("limit", x: barLeft + 20, y: 16)
        out += rect(x: barLeft + 80, y: 6, width: 14, height: 12, fill: Self.dark)
        out += svgText("guaranteed", x: barLeft + 100, y: 16)
        out += rect(x: barLeft + 200, y: 6, width: 14, height: 12, fill: Self.red)
        out += svgText("guaranteed over the limit", x: barLeft + 220, y: 16)
        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            let over = row.guaranteed > row.limit
            var label = "\(row.country) · grade \(row.grade)"
            if row.embargoed { label += " · EMBARGOED" }
            out += svgText(label, x: labelRight, y: y + rowHeight / 2 + 4, anchor: "end", weight: row.embargoed ? "700" : nil)
            let limitLength = N.scaled(row.limit, of: maximum, to: barLength)
            out += rect(x: barLeft, y: y + 4, width: limitLength, height: rowHeight - 8, fill: Self.light)
            out += rect(x: barLeft, y: y + 12, width: N.scaled(row.guaranteed, of: maximum, to: barLength), height: rowHeight - 24,
                        fill: over ? Self.red : Self.dark)
            if row.limit > 0 {
                out += line(x1: barLeft + limitLength, y1: y + 2, x2: barLeft + limitLength, y2: y + rowHeight - 2, stroke: Self.ink, width: 2)
            }
            out += line(x1: barLeft, y1: y + 2, x2: barLeft, y2: y + rowHeight - 2, stroke: Self.muted)
            var first = "guaranteed \(money(row.guaranteed)) (\(N.percent(bp: row.utilizationBP)))"
            if over { first += " OVER LIMIT" }
            out += svgText(first, x: textLeft, y: y + 16, weight: over ? "700" : nil, fill: over ? Self.red : Self.ink)
            out += svgText("limit \(money(row.limit))\(row.embargoed ? " (embargoed)" : "")", x: textLeft, y: y + 31, fill: Self.muted)
        }
        return svg(width: width, height: height,
                   title: "Guaranteed outstanding against the limit by country, \(report.currency.code), as of \(report.asOf)", out)
    }

    // MARK: 3. Debtors

    func debtors() -> String {
        let sorted = report.debtors.sorted { a, b in
            switch (a.utilizationBP, b.utilizationBP) {
            case let (x?, y?) where x != y: return x > y
            case (.some, nil): return true
            case (nil, .some): return false
            default: return a.guaranteed != b.guaranteed ? a.guaranteed > b.guaranteed : Self.byteOrder(a.debtorRef, b.debtorRef)
            }
        }
        guard !sorted.isEmpty else { return section("debtors", "Debtors by utilization", none()) }
        let top = Array(sorted.prefix(HTMLReport.topDebtors))
        var out = M.text("p", [:],
                         "The \(N.integer(top.count)) debtors of \(N.integer(sorted.count)) with the highest use of their credit limit "
                             + "(guaranteed over credit limit), across all clients. Warning level \(N.percent(bp: warnBP)).")
        out += debtorChart(top)
        out += table([Column(title: "Debtor"), Column(title: "Country"), Column(title: "Group"), Column(title: "Credit limit", numeric: true),
                      Column(title: "Guaranteed", numeric: true), Column(title: "Utilization", numeric: true),
                      Column(title: "Available limit", numeric: true), Column(title: "Flags")],
                     top.map {
                         [M.escape($0.debtorRef), M.escape($0.country), M.escape($0.groupRef), money($0.creditLimit), money($0.guaranteed),
                          M.escape(N.percent(bp: $0.utilizationBP)), money($0.availableLimit), flagChips($0.flags)]
                     })
        return section("debtors", "Debtors by utilization", out)
    }

    func debtorChart(_ rows: [RiskReport.DebtorRow]) -> String {
        let width = 960, top = 34, rowHeight = 24, labelRight = 160, barLeft = 170, barLength = 540, textLeft = 722
        let height = top + rows.count * rowHeight + 26
        // The scale: at least 100 % and the warning level, at most 200 % unless the warning level is above
        // it (longer bars stop at the end of the scale; their text still gives the figure), in steps of 25 %.
        let step: Int64 = 2500
        let largest = rows.compactMap(\.utilizationBP).max() ?? 0
        var axis = Swift.max(10_000, warnBP, Swift.min(largest, Swift.max(20_000, warnBP)))
        axis = (axis + step - 1) / step * step
        func x(_ bp: Int64) -> Int { barLeft + N.scaled(bp, of: axis, to: barLength) }
        let bottom = top + rows.count * rowHeight
        var out = ""
        var tick: Int64 = 0
        while tick <= axis {
            out += line(x1: x(tick), y1: top - 4, x2: x(tick), y2: bottom, stroke: Self.grid)
            out += svgText(N.wholePercent(bp: tick), x: x(tick), y: bottom + 16, anchor: "middle", size: 11, fill: Self.muted)
            tick += step
        }
        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            let breached = row.guaranteed > row.creditLimit
            let warned = !breached && (row.utilizationBP.map { $0 >= warnBP } ?? false)
            out += svgText("\(row.debtorRef) · \(row.country)", x: labelRight, y: y + 16, anchor: "end")
            if let utilization = row.utilizationBP {
                out += rect(x: barLeft, y: y + 5, width: x(utilization) - barLeft, height: rowHeight - 10,
                            fill: breached ? Self.red : warned ? Self.amber : Self.dark)
            }
            var text = N.percent(bp: row.utilizationBP)
            if row.utilizationBP == nil { text += " (credit limit \(money(row.creditLimit)))" }
            if breached { text += " OVER LIMIT" } else if warned { text += " warning" }
            // A bar cut at the end of the scale says so with an arrow; the figure is in the text.
            if let utilization = row.utilizationBP, utilization > axis { text += " »" }
            out += svgText(text, x: textLeft, y: y + 16, weight: breached ? "700" : nil,
                           fill: breached ? Self.red : warned ? Self.amber : Self.ink)
        }
        // The limit (100 %) and the warning level, over the bars.
        out += line(x1: x(10_000), y1: top - 6, x2: x(10_000), y2: bottom, stroke: Self.ink, width: 2)
        out += line(x1: x(warnBP), y1: top - 6, x2: x(warnBP), y2: bottom, stroke: Self.amber, width: 2, dash: "6 3")
        let warnBeforeLimit = warnBP <= 10_000
        out += svgText("warning \(N.percent(bp: warnBP))", x: x(warnBP) + (warnBeforeLimit ? -4 : 4), y: top - 12,
                       anchor: warnBeforeLimit ? "end" : "start", size: 11, fill: Self.amber)
        out += svgText("limit \(N.percent(bp: 10_000))", x: x(10_000) + (warnBeforeLimit ? 4 : -4), y: top - 12,
                       anchor: warnBeforeLimit ? "start" : "end", size: 11)
        return svg(width: width, height: height,
                   title: "Utilization of the credit limit of the \(rows.count) most used debtors, as of \(report.asOf)", out)
    }

    // MARK: 4. Concentration

    func concentration() -> String {
        let points = input.history.enumerated().sorted {
            $0.element.asOf != $1.element.asOf ? $0.element.asOf < $1.element.asOf : $0.offset < $1.offset
        }.map(\.element)
        var out = ""
        guard let last = points.last, let first = points.first else {
            out += none("No stored snapshots.")
            out += M.text("p", [:],
                          "This snapshot (\(report.asOf)): HHI \(hhiText(report.portfolio.hhiPPM)), top-10 share \(N.percent(bp: report.portfolio.top10ShareBP)).")
            return section("concentration", "Concentration", out)
        }
        out += M.text("p", [:],
                      "Herfindahl-Hirschman index (HHI) of covered exposure by debtor and the 10 largest debtors' share of it, "
                          + "over \(N.integer(points.count)) stored snapshot\(points.count == 1 ? "" : "s") from \(first.asOf) to \(last.asOf).")
        out += concentrationChart(points)
        out += M.element("p", [:],
                         M.text("strong", [:], "Latest (\(last.asOf)):") + M.escape(
                             " HHI \(hhiText(last.hhiPPM)), top-10 share \(N.percent(bp: last.top10ShareBP)), guaranteed \(money(last.guaranteed)) \(report.currency.code)."))
        if last.asOf != report.asOf {
            out += M.text("p", ["class": "note"], "The latest stored snapshot is not the one of this report (\(report.asOf)).")
        }
        return section("concentration", "Concentration", out)
    }

    func hhiText(_ ppm: Int64?) -> String {
        guard let ppm else { return "— (nothing covered)" }
        return "\(N.integer(ppm)) ppm (\(N.percent(ppm: ppm)))"
    }

    func concentrationChart(_ points: [HTMLReportInput.ConcentrationPoint]) -> String {
        let width = 960, height = 330, left = 70, right = 890, top = 40, bottom = 270
        let plotWidth = right - left, plotHeight = bottom - top
        let full: Int64 = 1_000_000  // 100 % in ppm; top-10 share bp × 100 is ppm too
        let firstDay = points.first!.asOf.daysSinceEpoch, span = points.last!.asOf.daysSinceEpoch - firstDay
        func x(_ point: HTMLReportInput.ConcentrationPoint) -> Int {
            span == 0 ? left + plotWidth / 2 : left + (point.asOf.daysSinceEpoch - firstDay) * plotWidth / span
        }
        func y(ppm: Int64) -> Int { bottom - N.scaled(ppm, of: full, to: plotHeight) }
        var out = ""
        // Axes, grid and their labels.
        for quarter in 0...4 {
            let ppm = Int64(quarter) * full / 4
            out += line(x1: left, y1: y(ppm: ppm), x2: right, y2: y(ppm: ppm), stroke: quarter == 0 ? Self.ink : Self.grid)
            out += svgText(N.wholePercent(bp: ppm / 100), x: left - 8, y: y(ppm: ppm) + 4, anchor: "end", size: 11, fill: Self.muted)
        }
        out += line(x1: left, y1: top, x2: left, y2: bottom, stroke: Self.ink)
        out += "<text x=\"16\" y=\"\((top + bottom) / 2)\" text-anchor=\"middle\" font-size=\"11\" fill=\"\(Self.muted)\" "
            + "transform=\"rotate(-90 16 \((top + bottom) / 2))\">share of covered exposure</text>"
        // Legend.
        out += line(x1: left, y1: 14, x2: left + 30, y2: 14, stroke: Self.dark, width: 2)
        out += "<circle cx=\"\(left + 15)\" cy=\"14\" r=\"4\" fill=\"\(Self.dark)\"/>"
        out += svgText("HHI (solid, circles)", x: left + 38, y: 18)
        out += line(x1: left + 220, y1: 14, x2: left + 250, y2: 14, stroke: Self.amber, width: 2, dash: "6 4")
        out += rect(x: left + 231, y: 10, width: 8, height: 8, fill: Self.amber)
        out += svgText("top-10 share (dashed, squares)", x: left + 258, y: 18)

        // The series, broken where a snapshot had nothing covered (null).
        let hhi = points.map { point in point.hhiPPM.map { (x(point), y(ppm: $0)) } }
        let top10 = points.map { point in point.top10ShareBP.map { (x(point), y(ppm: $0 * 100)) } }
        func polylines(_ series: [(Int, Int)?], stroke: String, dash: String?) -> String {
            var runs: [[(Int, Int)]] = [[]]
            for point in series {
                if let point { runs[runs.count - 1].append(point) } else if !runs[runs.count - 1].isEmpty { runs.append([]) }
            }
            return runs.filter { $0.count > 1 }.map { run in
                let coordinates = run.map { "\($0.0),\($0.1)" }.joined(separator: " ")
                return "<polyline points=\"\(coordinates)\" fill=\"none\" stroke=\"\(stroke)\" stroke-width=\"2\""
                    + (dash.map { " stroke-dasharray=\"\($0)\"" } ?? "") + "/>"
            }.joined()
        }
        out += polylines(top10, stroke: Self.amber, dash: "6 4")
        out += polylines(hhi, stroke: Self.dark, dash: nil)

        let labelAll = points.count <= 12
        for (index, point) in points.enumerated() {
            let labelled = labelAll || index == 0 || index == points.count - 1
            // Value labels beside the point at either end of the axis, so they stay clear of it.
            let (dx, anchor) = points.count == 1 ? (0, "middle") : index == 0 ? (6, "start") : index == points.count - 1 ? (-6, "end") : (0, "middle")
            let tooltip = "\(point.asOf): HHI \(hhiText(point.hhiPPM)), top-10 share \(N.percent(bp: point.top10ShareBP))"
            if case let (px, py)? = top10[index] {
                out += M.element("rect", ["x": "\(px - 4)", "y": "\(py - 4)", "width": "8", "height": "8", "fill": Self.amber],
                                 M.text("title", [:], tooltip))
                if labelled { out += svgText(N.percent(bp: point.top10ShareBP), x: px + dx, y: py - 9, anchor: anchor, size: 11, fill: Self.amber) }
            }
            if case let (px, py)? = hhi[index] {
                out += M.element("circle", ["cx": "\(px)", "cy": "\(py)", "r": "4", "fill": Self.dark], M.text("title", [:], tooltip))
                if labelled { out += svgText(N.percent(ppm: point.hhiPPM), x: px + dx, y: py + 18, anchor: anchor, size: 11, fill: Self.dark) }
            }
        }
        // Dates: the first and the last, and the ones between when there is room for them.
        var lastLabelX = Int.min
        for (index, point) in points.enumerated() {
            let isFirst = index == 0, isLast = index == points.count - 1
            let px = x(point)
            out += line(x1: px, y1: bottom, x2: px, y2: bottom + 4, stroke: Self.ink)
            if points.count == 1 {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "middle", size: 11)
            } else if isFirst {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "start", size: 11)
                lastLabelX = px + 70
            } else if isLast {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "end", size: 11)
            } else if points.count <= 8, px - 35 > lastLabelX + 10, px + 35 < right - 80 {
                out += svgText(point.asOf.description, x: px, y: bottom + 20, anchor: "middle", size: 11)
                lastLabelX = px + 35
            }
        }
        return svg(width: width, height: height,
                   title: "HHI and top-10 share of covered exposure, \(points.first!.asOf) to \(points.last!.asOf)", out)
    }

    // MARK: 5. Ageing

    func ageing() -> String {
        let buckets = input.ageing
        guard !buckets.isEmpty else { return section("ageing", "Ageing of the ledger", none()) }
        let total = buckets.reduce(Int64(0)) { $0 + $1.open }
        let invoices = buckets.reduce(0) { $0 + $1.invoices }
        var out = M.text("p", [:],
                         "Open invoices that take part in the computation, by days past due as of \(report.asOf), in \(report.currency.code).")
        out += ageingChart(buckets)
        out += table([Column(title: "Days past due"), Column(title: "Invoices", numeric: true), Column(title: "Open", numeric: true),
                      Column(title: "Share", numeric: true)],
                     buckets.map {
                         [M.escape($0.label), N.integer($0.invoices), money($0.open), M.escape(N.percent(bp: N.ratioBP($0.open, total)))]
                     },
                     footer: ["Total", N.integer(invoices), money(total), M.escape(N.percent(bp: total == 0 ? nil : 10_000))])
        return section("ageing", "Ageing of the ledger", out)
    }

    func ageingChart(_ buckets: [HTMLReportInput.AgeingBucket]) -> String {
        let width = 960, height = 300, left = 40, right = 940, top = 30, bottom = 240
        let slot = (right - left) / buckets.count, column = slot * 3 / 5
        let maximum = buckets.map(\.open).max() ?? 0
        var out = line(x1: left, y1: bottom, x2: right, y2: bottom, stroke: Self.ink)
        for (index, bucket) in buckets.enumerated() {
            let center = left + index * slot + slot / 2
            let barHeight = N.scaled(bucket.open, of: maximum, to: bottom - top)
            // Later buckets darker and warmer: the older the debt, the riskier.
            let fill = index == 0 ? Self.dark : index == buckets.count - 1 && buckets.count > 1 ? Self.red : Self.amber
            out += rect(x: center - column / 2, y: bottom - barHeight, width: column, height: barHeight, fill: fill)
            out += svgText(money(bucket.open), x: center, y: bottom - barHeight - 6, anchor: "middle", weight: "600")
            out += svgText(bucket.label, x: center, y: bottom + 20, anchor: "middle", weight: "600")
            out += svgText("\(N.integer(bucket.invoices)) invoice\(bucket.invoices == 1 ? "" : "s")", x: center, y: bottom + 38,
                           anchor: "middle", size: 11, fill: Self.muted)
        }
        return svg(width: width, height: height,
                   title: "Open invoices by days past due, \(report.currency.code), as of \(report.asOf)", out)
    }

    // MARK: 6. Breaches and warnings

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

    // MARK: 7. Confidential clients

    func confidential() -> String {
        let clients = report.clients.filter { $0.mode == .confidential }
        guard !clients.isEmpty else { return section("confidential", "Confidential-mode clients", none()) }
        var largest: [String: (debtor: String, eligible: Int64)] = [:]
        for pair in report.pairs {
            if let current = largest[pair.clientRef],
               current.eligible > pair.eligible || (current.eligible == pair.eligible && !Self.byteOrder(pair.debtorRef, current.debtor)) {
                continue
            }
            largest[pair.clientRef] = (pair.debtorRef, pair.eligible)
        }
        var out = M.text("p", [:],
                         "Clients factored without the debtors' knowledge: the factor depends on their reporting and remittances. "
                             + "The largest share is the biggest single debtor's eligible over the client's eligible.")
        // Each client's flags on a line of their own under its figures: the codes are long, and a
        // column of them would push the figures off an A4 page.
        out += table([Column(title: "Client"), Column(title: "Tier"), Column(title: "Eligible", numeric: true),
                      Column(title: "Guaranteed", numeric: true), Column(title: "Concentration cap", numeric: true),
                      Column(title: "Concentration excess", numeric: true), Column(title: "Largest debtor share", numeric: true),
                      Column(title: "Availability", numeric: true)],
                     clients.map { client in
                         var share = "—"
                         if client.eligible != 0, let top = largest[client.clientRef], let bp = N.ratioBP(top.eligible, client.eligible) {
                             share = "\(N.percent(bp: bp)) (\(top.debtor))"
                         }
                         return [M.escape(client.clientRef), M.escape(client.tierLetter), money(client.eligible), money(client.guaranteed),
                                 money(client.concentrationCap), money(client.concentrationExcess), M.escape(share), money(client.availability)]
                     },
                     details: clients.map { M.text("span", ["class": "label"], "Flags:") + " " + flagChips($0.flags) })
        return section("confidential", "Confidential-mode clients", out)
    }
}
