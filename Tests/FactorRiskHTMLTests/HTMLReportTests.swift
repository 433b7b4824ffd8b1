@testable import FactorRiskCore
import FactorRiskHTML
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

/// The analysts' HTML page, rendered from the worked example of RULEBOOK.md §7 with a hand-made
/// history of three snapshots and the ledger's ageing worked out by hand.
@Suite("HTML report")
struct HTMLReportTests {
    /// The portfolio of the fixture bundle `name` (`Tests/Fixtures/<name>`), its policy.json applied.
    static func fixture(_ name: String) throws -> Portfolio {
        let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Fixtures/\(name)").path
        var files: [BundleFile: [UInt8]] = [:]
        for file in BundleFile.allCases {
            if let data = FileManager.default.contents(atPath: "\(folder)/\(file.fileName)") { files[file] = Array(data) }
        }
        let policy = FileManager.default.contents(atPath: "\(folder)/\(BundleFile.policyFileName)").map(Array.init)
        return try Portfolio(bundle: files, policy: policy)
    }

    /// The reference engine's report of the fixture bundle `name` as of `asOf`.
    static func computed(_ name: String, asOf: String = "2026-11-20") -> RiskReport {
        ReferenceEngine.compute(try! fixture(name), asOf: date(asOf))
    }

    static let report = computed("worked")

    static func date(_ text: String) -> CalendarDate { CalendarDate(iso: text)! }

    /// Three snapshots; the last one is the worked example's own figures.
    static let history: [HTMLReportInput.ConcentrationPoint] = [
        .init(asOf: date("2026-09-30"), hhiPPM: 412_345, top10ShareBP: 9650, guaranteed: 15_012_300),
        .init(asOf: date("2026-10-30"), hhiPPM: 450_001, top10ShareBP: 9875, guaranteed: 18_250_000),
        .init(asOf: date("2026-11-20"), hhiPPM: report.portfolio.hhiPPM, top10ShareBP: report.portfolio.top10ShareBP,
              guaranteed: report.portfolio.guaranteed),
    ]

    /// The worked example's open invoices on 2026-11-20 by days past due (I8 has no rate, N1 is a
    /// credit note): current I1 70,000 + I3 45,000 + I4 80,000 + I6 10,000; 1-30 I5 (5 days);
    /// 61-90 I2 (80 days) 20,000 + I7 (82 days) 25,000.
    static let ageing: [HTMLReportInput.AgeingBucket] = [
        .init(label: "current", open: 20_500_000, invoices: 4),
        .init(label: "1-30", open: 3_000_000, invoices: 1),
        .init(label: "31-60", open: 0, invoices: 0),
        .init(label: "61-90", open: 4_500_000, invoices: 2),
        .init(label: "90+", open: 0, invoices: 0),
    ]

    static func input(_ adjust: (inout HTMLReportInput) -> Void = { _ in }) -> HTMLReportInput {
        var input = HTMLReportInput(tenantName: "Demo Factor", report: report, history: history, ageing: ageing,
                                    computedAt: "2026-11-21 02:00:13 UTC")
        adjust(&input)
        return input
    }

    static let page = HTMLReport.render(input())

    // MARK: Helpers

    /// The markup of the `<section>` with this id, up to its end tag (sections are not nested).
    static func section(_ id: String, of page: String = page) -> String {
        guard let start = page.range(of: "<section id=\"\(id)\">"),
              let end = page.range(of: "</section>", range: start.upperBound..<page.endIndex)
        else { return "" }
        return String(page[start.lowerBound..<end.upperBound])
    }

    /// The text of some markup: tags removed (each counts as a space), the entities the page writes
    /// decoded, runs of white space as one space.
    static func text(_ markup: String) -> String {
        var out = ""
        var inTag = false
        for character in markup {
            if character == "<" { inTag = true } else if character == ">" { inTag = false; out.append(" ") } else if !inTag { out.append(character) }
        }
        for (entity, character) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            out = out.replacingOccurrences(of: entity, with: character)
        }
        return out.split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    /// The table rows (`<tr>…</tr>`) of some markup, each as its text with cells separated by spaces.
    static func rows(_ markup: String) -> [String] {
        markup.components(separatedBy: "<tr").dropFirst().map { text("<tr" + ($0.components(separatedBy: "</tr>").first ?? "")) }
    }

    /// The SVG charts of some markup.
    static func svgs(_ markup: String) -> [String] {
        markup.components(separatedBy: "<svg").dropFirst().map { "<svg" + ($0.components(separatedBy: "</svg>").first ?? "") + "</svg>" }
    }

    static func occurrences(of needle: String, in haystack: String) -> Int { haystack.components(separatedBy: needle).count - 1 }

    /// Renders and checks the page is well-formed, as every test that renders a variant does.
    static func render(_ input: HTMLReportInput, utilizationWarnBP: Int64 = 8000) -> String {
        let page = HTMLReport.render(input, utilizationWarnBP: utilizationWarnBP)
        #expect(StrictMarkup.problems(page) == [])
        #expect(XMLOutline.parse(page).errors == [])
        return page
    }

    // MARK: Well-formed and self-contained

    @Test("the page is well-formed: the strict scanner and the XML parser accept it")
    func wellFormed() {
        #expect(StrictMarkup.problems(Self.page) == [])
        let outline = XMLOutline.parse(Self.page)
        #expect(outline.errors == [])
        #expect(outline.root == "html")
        #expect(outline.rootAttributes == ["lang": "en"])
    }

    @Test("the strict scanner refuses what an XML parser would")
    func scannerRefusesMistakes() {
        let head = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"/><title>t</title></head><body>"
        let tail = "</body></html>"
        #expect(StrictMarkup.problems(head + "<p>fine &amp; dandy &#39;x&#39;</p>" + tail) == [])
        #expect(StrictMarkup.problems(head + "<svg viewBox=\"0 0 1 1\"><rect x=\"0\"/></svg>" + tail) == [])
        for bad in ["<p>unclosed", "<p><b>crossed</p></b>", "<p>raw & ampersand</p>", "<p>raw < less</p>", "<p>raw > greater</p>",
                    "<p class=x>unquoted</p>", "<p class='single'>single</p>", "<br>", "<p/>", "<p>&nbsp;</p>", "</p>",
                    "<p a=\"1\"b=\"2\">no space</p>", "<p a=\"1\" a=\"2\">twice</p>", "<p>\u{1}</p>"] {
            #expect(StrictMarkup.problems(head + bad + tail) != [], "\(bad)")
        }
        #expect(StrictMarkup.problems("<html lang=\"en\"></html>") != [], "no doctype")
        #expect(StrictMarkup.problems("<!DOCTYPE html><html></html><p></p>") != [], "two roots")
    }

    @Test("the skeleton: doctype, language, charset, A4 print rules, the sections in order, each with an h2")
    func skeleton() {
        let page = Self.page
        #expect(page.hasPrefix("<!DOCTYPE html>\n<html lang=\"en\">"))
        #expect(page.contains("<meta charset=\"utf-8\"/>"))
        #expect(page.contains("@page { size: A4; margin: 15mm; }"))
        #expect(page.contains("break-inside: avoid"))
        #expect(page.contains("max-width: 1000px"))
        #expect(page.contains("system-ui"))
        let outline = XMLOutline.parse(page)
        #expect(outline.sections.map(\.id) == ["summary", "countries", "debtors", "cuts", "insurance", "defaults", "concentration", "ageing", "breaches", "warnings",
                                                       "confidential", "cash"])
        #expect(outline.sections.allSatisfy { $0.firstChild == "h2" })
    }

    @Test("every chart is an inline SVG with a title, role img, a fixed viewBox, full width and text labels")
    func charts() {
        let outline = XMLOutline.parse(Self.page)
        #expect(outline.svgs.count == 5)  // countries, debtors, insurance, concentration, ageing
        for svg in outline.svgs {
            #expect(svg.firstChild == "title")
            #expect(svg.attributes["role"] == "img")
            #expect(svg.attributes["width"] == "100%")
            let viewBox = (svg.attributes["viewBox"] ?? "").split(separator: " ").compactMap { Int($0) }
            #expect(viewBox.count == 4 && viewBox[0] == 0 && viewBox[1] == 0 && viewBox[2] > 0 && viewBox[3] > 0)
            #expect(svg.texts > 3)
        }
        for id in ["countries", "debtors", "insurance", "concentration", "ageing"] {
            #expect(Self.svgs(Self.section(id)).count == 1, "\(id)")
        }
    }

    @Test("nothing outside the page: no script, no link to a server, no floating-point artifacts")
    func selfContained() {
        let page = Self.page.lowercased()
        for forbidden in ["<script", "http://", "https://", "url(", "@import", "src=", "href=", "<link", "<img", "<iframe", "<object",
                          "javascript:", "e+"] {
            #expect(!page.contains(forbidden), "\(forbidden)")
        }
        // No event handler attributes (onload=, onclick=, …).
        #expect(page.range(of: #"\son[a-z]+=""#, options: .regularExpression) == nil)
        // Money is always digits with separators and exactly two decimals (EUR), never 1.25e5 or 125000.0.
        #expect(Self.page.range(of: #"\d\.\d*e[+-]?\d"#, options: .regularExpression) == nil)
    }

    // MARK: The figures

    @Test("summary: tenant, date, currency, computed-at, portfolio totals and flags by code")
    func summary() {
        let summary = Self.section("summary")
        let text = Self.text(summary)
        for expected in ["Demo Factor", "demo", "2026-11-20", "EUR", "2026-11-21 02:00:13 UTC",
                         "200,000.00", "195,500.00", "475,278 ppm", "47.5278 %", "100.00 %"] {
            #expect(text.contains(expected), "\(expected)")
        }
        let rows = Self.rows(summary)
        // Gross: C1–D1 85,000 + C1–D3 45,000 + C2–D1 80,000 + C2–D2 40,000 + C2–D4 25,000.
        #expect(rows.contains { $0.hasPrefix("Gross 275,000.00") })
        #expect(rows.contains { $0.hasPrefix("Guaranteed 200,000.00") && $0.hasSuffix("Clients 2") })
        #expect(rows.contains { $0.hasPrefix("Covered 195,500.00") && $0.hasSuffix("Debtors 4") })
        #expect(rows.contains { $0.hasSuffix("Documents that took part 8") })
        #expect(text.contains("I8"))  // left out for want of a SEK rate
        #expect(text.contains("Breaches: 2 · warnings: 8 · info: 1"))
        for (code, level, count) in [("OVER_ADVANCE", "breach", 2), ("CONCENTRATION_EXCESS", "warning", 2), ("DEBTOR_LIMIT_WARN", "warning", 1),
                                     ("DEBTOR_OVER_ALLOCATED", "warning", 1), ("CONFIDENTIAL_MODE", "warning", 1),
                                     ("CONFIDENTIAL_BELOW_REVENUE", "warning", 1), ("CONFIDENTIAL_WEAK_FINANCIALS", "warning", 1),
                                     ("CROSS_AGED", "warning", 1), ("LARGE_EXPOSURE", "info", 1)] {
            #expect(rows.contains("\(code) \(level) \(count)"), "\(code)")
        }
    }

    @Test("countries: chart rows by guaranteed with grade and limit, and the table")
    func countries() {
        let countries = Self.section("countries")
        let chart = Self.text(Self.svgs(countries)[0])
        #expect(chart.contains("FR · grade 0"))
        #expect(chart.contains("TR · grade 4"))
        #expect(chart.contains("guaranteed 155,000.00 (77.50 %)"))
        #expect(chart.contains("limit 30,000.00"))
        let order = ["FR · grade", "US · grade", "TR · grade"].map { chart.range(of: $0)!.lowerBound }
        #expect(order == order.sorted())
        let rows = Self.rows(countries)
        #expect(rows.first == "Country Grade Embargoed Guaranteed Limit Utilization Headroom Flags")
        #expect(rows.dropFirst().map { String($0.prefix(2)) } == ["FR", "US", "TR"])
        #expect(rows.contains("FR 0 no 155,000.00 200,000.00 77.50 % 45,000.00 —"))
        #expect(rows.contains("US 0 no 45,000.00 200,000.00 22.50 % 155,000.00 —"))
        #expect(rows.contains("TR 4 no 0.00 30,000.00 0.00 % 30,000.00 —"))
    }

    @Test("debtors: utilization chart with the warning line, and the table by utilization")
    func debtors() {
        let debtors = Self.section("debtors")
        let chart = Self.text(Self.svgs(debtors)[0])
        #expect(chart.contains("D1 · FR"))
        #expect(chart.contains("83.33 % warning"))
        #expect(chart.contains("warning 80.00 %"))
        let rows = Self.rows(debtors)
        #expect(rows.dropFirst().map { String($0.prefix(2)) } == ["D1", "D2", "D3", "D4"])
        #expect(rows.contains("D1 FR G1 150,000.00 125,000.00 83.33 % 25,000.00 DEBTOR_LIMIT_WARN DEBTOR_OVER_ALLOCATED"))
        #expect(rows.contains("D4 TR D4 50,000.00 0.00 0.00 % 30,000.00 —"))
        // The warning line follows the tenant's level.
        let page = Self.render(Self.input(), utilizationWarnBP: 7500)
        #expect(Self.text(Self.section("debtors", of: page)).contains("warning 75.00 %"))
    }

    @Test("debtors without a credit limit sort last, ties by guaranteed then reference")
    func debtorOrder() {
        let page = Self.render(Self.input {
            // D2 loses its limit (utilization null); D3 and D4 tie at 45.00 %, D4 with more guaranteed.
            $0.report.debtors[1].creditLimit = 0
            $0.report.debtors[1].utilizationBP = nil
            $0.report.debtors[3].guaranteed = 2_250_000_00
            $0.report.debtors[3].creditLimit = 5_000_000_00
            $0.report.debtors[3].utilizationBP = 4500
        })
        let debtors = Self.section("debtors", of: page)
        #expect(Self.rows(debtors).dropFirst().map { String($0.prefix(2)) } == ["D1", "D4", "D3", "D2"])
        #expect(Self.text(Self.svgs(debtors)[0]).contains("— (credit limit 0.00) OVER LIMIT"))
    }

    @Test("concentration: both series over the three snapshots, every date, the latest values")
    func concentration() {
        let concentration = Self.section("concentration")
        let chart = Self.svgs(concentration)[0]
        let chartText = Self.text(chart)
        for date in ["2026-09-30", "2026-10-30", "2026-11-20"] { #expect(chartText.contains(date), "\(date)") }
        for value in ["41.2345 %", "45.0001 %", "47.5278 %", "96.50 %", "98.75 %", "100.00 %"] { #expect(chartText.contains(value), "\(value)") }
        #expect(Self.occurrences(of: "<polyline", in: chart) == 2)
        #expect(Self.occurrences(of: "<circle", in: chart) == 4)  // three points and the legend
        let text = Self.text(concentration)
        #expect(text.contains("Latest (2026-11-20): HHI 475,278 ppm (47.5278 %), top-10 share 100.00 %, guaranteed 200,000.00 EUR."))
        #expect(text.contains("3 stored snapshots from 2026-09-30 to 2026-11-20"))
    }

    @Test("concentration: one snapshot still draws, none says so, a null HHI breaks the line")
    func concentrationEdges() {
        let one = Self.section("concentration", of: Self.render(Self.input { $0.history = [Self.history[2]] }))
        #expect(Self.svgs(one).count == 1)
        #expect(Self.text(one).contains("2026-11-20"))
        #expect(Self.text(one).contains("1 stored snapshot from 2026-11-20 to 2026-11-20"))
        let none = Self.section("concentration", of: Self.render(Self.input { $0.history = [] }))
        #expect(Self.svgs(none).isEmpty)
        #expect(Self.text(none).contains("No stored snapshots."))
        #expect(Self.text(none).contains("475,278 ppm"))
        let gap = Self.section("concentration", of: Self.render(Self.input {
            $0.history[1].hhiPPM = nil
            $0.history[1].top10ShareBP = nil
        }))
        #expect(Self.occurrences(of: "<polyline", in: gap) == 0)  // no two neighbouring points to join
        #expect(Self.occurrences(of: "<circle", in: gap) == 3)
    }

    @Test("ageing: a column per bucket with its label and amount, and the table")
    func ageing() {
        let ageing = Self.section("ageing")
        let chart = Self.text(Self.svgs(ageing)[0])
        for (label, amount) in [("current", "205,000.00"), ("1-30", "30,000.00"), ("31-60", "0.00"), ("61-90", "45,000.00"), ("90+", "0.00")] {
            #expect(chart.contains(label) && chart.contains(amount), "\(label)")
        }
        let rows = Self.rows(ageing)
        #expect(rows.contains("current 4 205,000.00 73.21 %"))
        #expect(rows.contains("1-30 1 30,000.00 10.71 %"))
        #expect(rows.contains("31-60 0 0.00 0.00 %"))
        #expect(rows.contains("61-90 2 45,000.00 16.07 %"))
        #expect(rows.contains("90+ 0 0.00 0.00 %"))
        #expect(rows.contains("Total 7 280,000.00 100.00 %"))
    }

    @Test("breaches: both OVER_ADVANCE flags with their availability; warnings listed apart")
    func breachesAndWarnings() {
        let breaches = Self.rows(Self.section("breaches")).dropFirst()
        #expect(Array(breaches) == [
            "client C1 OVER_ADVANCE availability -40,600.00 funding capacity 59,400.00, funded 100,000.00",
            "client C2 OVER_ADVANCE availability -110,400.00 funding capacity 39,600.00, funded 150,000.00",
        ])
        let warnings = Self.rows(Self.section("warnings")).dropFirst()
        #expect(warnings.count == 8)
        #expect(warnings.contains("debtor D1 DEBTOR_LIMIT_WARN guaranteed 125,000.00 credit limit 150,000.00 (83.33 % used)"))
        #expect(warnings.contains("debtor D1 DEBTOR_OVER_ALLOCATED approved total 160,000.00 credit limit 150,000.00"))
        #expect(warnings.contains("client C1 CONCENTRATION_EXCESS concentration excess 44,000.00 cap per debtor 33,000.00"))
        #expect(warnings.contains("client C2 CROSS_AGED aged and cross-aged (ineligible) 25,000.00 cross-aged with D4"))
        #expect(!Self.section("warnings").contains("LARGE_EXPOSURE"))  // info, not a warning
    }

    @Test("breaches and warnings say None when there are none")
    func noFlags() {
        let page = Self.render(Self.input {
            for index in $0.report.clients.indices { $0.report.clients[index].flags = [] }
            for index in $0.report.debtors.indices { $0.report.debtors[index].flags = [] }
            for index in $0.report.groups.indices { $0.report.groups[index].flags = [] }
            $0.report.portfolio.flagsCount = [:]
        })
        #expect(Self.text(Self.section("breaches", of: page)).contains("None"))
        #expect(Self.text(Self.section("warnings", of: page)).contains("None"))
        #expect(Self.text(Self.section("summary", of: page)).contains("No flags."))
    }

    @Test("confidential clients: C2 with tier D, its cap, excess and largest single-debtor share")
    func confidential() {
        let confidential = Self.section("confidential")
        let rows = Self.rows(confidential).dropFirst()
        // C2: eligible 110,000 of which C2–D1 80,000 → 7,272 bp; its flags on the line below.
        #expect(Array(rows) == [
            "C2 D 110,000.00 90,000.00 22,000.00 46,000.00 72.72 % (D1) -110,400.00",
            "Flags: CONFIDENTIAL_MODE CONFIDENTIAL_BELOW_REVENUE CONFIDENTIAL_WEAK_FINANCIALS CONCENTRATION_EXCESS CROSS_AGED OVER_ADVANCE",
        ])
        #expect(!Self.text(confidential).contains("C1"))
        // No eligible ledger: the share is a dash, not a division by zero.
        let empty = Self.render(Self.input { $0.report.clients[1].eligible = 0 })
        #expect(Self.rows(Self.section("confidential", of: empty))[1].contains(" 46,000.00 — -110,400.00"))
        // No confidential client at all.
        let none = Self.render(Self.input { $0.report.clients[1].mode = .notified })
        #expect(Self.text(Self.section("confidential", of: none)).contains("None"))
    }

    @Test("each figure comes from the input: changing one changes the page")
    func figuresFollowTheInput() {
        let base = Self.page
        let changed = Self.render(Self.input {
            $0.tenantName = "Gamma Factoring"
            $0.report.debtors[0].guaranteed = 14_567_800
            $0.report.debtors[0].utilizationBP = 9711
            $0.report.countries[1].limit = 3_123_456  // TR
            $0.report.portfolio.hhiPPM = 123_456
            $0.report.clients[0].availability = -4_070_001
            $0.history[0].asOf = Self.date("2026-08-31")
            $0.ageing[3].open = 4_512_345
        })
        for (before, after, section) in [("Demo Factor", "Gamma Factoring", "summary"), ("125,000.00", "145,678.00", "debtors"),
                                         ("83.33 %", "97.11 %", "debtors"), ("limit 30,000.00", "limit 31,234.56", "countries"),
                                         ("475,278 ppm", "123,456 ppm", "summary"), ("-40,600.00", "-40,700.01", "breaches"),
                                         ("2026-09-30", "2026-08-31", "concentration"), ("45,000.00", "45,123.45", "ageing")] {
            #expect(Self.text(Self.section(section, of: base)).contains(before), "\(before)")
            #expect(!Self.text(Self.section(section, of: changed)).contains(before), "\(before)")
            #expect(Self.text(Self.section(section, of: changed)).contains(after), "\(after)")
        }
    }

    @Test("money has the base currency's minor digits")
    func currencyDigits() {
        let kwd = Self.render(Self.input { $0.report.currency = Currency.iso("KWD")! })
        #expect(Self.rows(Self.section("debtors", of: kwd)).contains {
            $0.hasPrefix("D1 FR G1 15,000.000 12,500.000 83.33 %")
        })
        let jpy = Self.render(Self.input { $0.report.currency = Currency.iso("JPY")! })
        #expect(Self.rows(Self.section("debtors", of: jpy)).contains { $0.hasPrefix("D1 FR G1 15,000,000 12,500,000 83.33 %") })
        #expect(Self.text(Self.section("breaches", of: jpy)).contains("-4,060,000"))
    }

    @Test("text from the input is escaped, in content and in attributes")
    func escaping() {
        let page = Self.render(Self.input {
            $0.tenantName = "A&B <script>alert(\"x\")</script> 'Factor'"
            $0.computedAt = "2026-11-21 \u{1}02:00"
            $0.report.debtors[0].debtorRef = "D<1>&\"2\""
        })
        #expect(!page.contains("<script"))
        #expect(page.contains("A&amp;B &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &#39;Factor&#39;"))
        #expect(page.contains("D&lt;1&gt;&amp;&quot;2&quot;"))
        #expect(page.contains("2026-11-21 \u{FFFD}02:00"))
    }

    @Test("over the limit: the debtor and country bars say so in text, and the breach is listed")
    func overLimit() {
        let page = Self.render(Self.input {
            $0.report.debtors[0].guaranteed = 16_000_000
            $0.report.debtors[0].utilizationBP = 10_666
            $0.report.debtors[0].flags = [.debtorLimitBreach, .debtorOverAllocated]
            $0.report.countries[1].guaranteed = 4_000_000  // TR over its 30,000.00
            $0.report.countries[1].utilizationBP = 13_333
            $0.report.countries[1].flags = [.countryLimitBreach]
        })
        #expect(Self.text(Self.svgs(Self.section("debtors", of: page))[0]).contains("106.66 % OVER LIMIT"))
        #expect(Self.text(Self.svgs(Self.section("countries", of: page))[0]).contains("guaranteed 40,000.00 (133.33 %) OVER LIMIT"))
        let breaches = Self.rows(Self.section("breaches", of: page))
        #expect(breaches.contains("debtor D1 DEBTOR_LIMIT_BREACH guaranteed 160,000.00 credit limit 150,000.00 (106.66 % used)"))
        #expect(breaches.contains("country TR COUNTRY_LIMIT_BREACH guaranteed 40,000.00 limit 30,000.00 (133.33 % used)"))
    }

    @Test("the country chart draws the 25 largest countries; the table lists them all; embargoes are marked")
    func manyCountries() {
        let page = Self.render(Self.input {
            $0.report.countries = (0..<30).map { index in
                let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
                var row = RiskReport.CountryRow(country: "Z" + String(letters[index % 26]) + (index < 26 ? "" : "\(index)"),
                                                grade: index % 8, embargoed: index == 27)
                row.guaranteed = Int64(index) * 100_000
                row.limit = index == 27 ? 0 : 5_000_000
                return row
            }
        })
        let countries = Self.section("countries", of: page)
        let chart = Self.text(Self.svgs(countries)[0])
        #expect(Self.occurrences(of: " · grade ", in: chart) == 25)
        #expect(Self.rows(countries).count == 31)
        #expect(chart.contains("ZB27 · grade 3 · EMBARGOED"))
        #expect(Self.text(countries).contains("The chart shows the 25 largest of 30 countries"))
    }
}

/// A strict scanner of the page's markup: the XML rules the page promises, checked by hand.
///
/// After `<!DOCTYPE html>` there must be one `html` element; every start tag is closed in order;
/// attributes are double-quoted and not repeated; HTML void elements are self-closed and other
/// HTML elements never are (SVG shapes may be); `&` only starts `&amp;`, `&lt;`, `&gt;`, `&quot;`,
/// `&apos;` or a numeric reference; `<` and `>` never appear raw in text or attribute values; no
/// control characters.
enum StrictMarkup {
    static let voidElements: Set<String> = ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]

    static func problems(_ document: String) -> [String] {
        let doctype = "<!DOCTYPE html>"
        guard document.hasPrefix(doctype) else { return ["no \(doctype) at the start"] }
        let bytes = Array(document.utf8.dropFirst(doctype.utf8.count))
        var problems: [String] = []
        var stack: [String] = []
        var roots = 0
        var index = 0

        func at(_ offset: Int) -> UInt8? { index + offset < bytes.count ? bytes[index + offset] : nil }
        func problem(_ message: String) {
            let context = String(decoding: bytes[Swift.max(0, index - 30)..<Swift.min(bytes.count, index + 30)], as: UTF8.self)
            problems.append("byte \(index): \(message) near \(context)")
        }
        func isNameByte(_ byte: UInt8) -> Bool {
            (byte >= 0x61 && byte <= 0x7A) || (byte >= 0x41 && byte <= 0x5A) || (byte >= 0x30 && byte <= 0x39) || byte == 0x2D || byte == 0x3A
        }
        func readName() -> String {
            let start = index
            while let byte = at(0), isNameByte(byte) { index += 1 }
            return String(decoding: bytes[start..<index], as: UTF8.self)
        }
        func skipSpace() -> Bool {
            let start = index
            while let byte = at(0), byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D { index += 1 }
            return index > start
        }
        /// At `&`: a known entity or character reference, whose length is returned.
        func entityLength() -> Int? {
            guard let end = (index..<Swift.min(bytes.count, index + 12)).first(where: { bytes[$0] == UInt8(ascii: ";") }) else { return nil }
            let name = String(decoding: bytes[(index + 1)..<end], as: UTF8.self)
            let known = ["amp", "lt", "gt", "quot", "apos"].contains(name)
                || (name.hasPrefix("#x") && name.count > 2 && name.dropFirst(2).allSatisfy(\.isHexDigit))
                || (name.hasPrefix("#") && name.count > 1 && name.dropFirst().allSatisfy(\.isNumber))
            return known ? end - index + 1 : nil
        }
        /// Text or an attribute value, from `index` to `stop` (exclusive); false after a problem.
        func checkCharacter(_ byte: UInt8) -> Bool {
            switch byte {
            case UInt8(ascii: "&"):
                guard let length = entityLength() else { problem("a raw & or an unknown entity"); return false }
                index += length
                return true
            case UInt8(ascii: "<"): problem("a raw <"); return false
            case UInt8(ascii: ">"): problem("a raw >"); return false
            case 0x09, 0x0A, 0x0D: index += 1; return true
            case ..<0x20: problem("a control character"); return false
            default: index += 1; return true
            }
        }

        while index < bytes.count {
            let byte = bytes[index]
            if byte != UInt8(ascii: "<") {
                if stack.isEmpty, !(byte == 0x20 || byte == 0x0A || byte == 0x09 || byte == 0x0D) {
                    problem("text outside the root element")
                    return problems
                }
                if !checkCharacter(byte) { return problems }
                continue
            }
            if at(1) == UInt8(ascii: "/") {
                index += 2
                let name = readName()
                _ = skipSpace()
                guard at(0) == UInt8(ascii: ">") else { problem("a malformed end tag"); return problems }
                guard stack.last == name else { problem("</\(name)> while \(stack.last.map { "<\($0)>" } ?? "nothing") is open"); return problems }
                stack.removeLast()
                index += 1
                continue
            }
            if at(1) == UInt8(ascii: "!") || at(1) == UInt8(ascii: "?") { problem("a comment or declaration"); return problems }
            index += 1
            let name = readName()
            guard !name.isEmpty else { problem("a < that starts no tag"); return problems }
            if stack.isEmpty {
                roots += 1
                if roots > 1 || name != "html" { problem("a second root, or a root other than html: <\(name)>"); return problems }
            }
            var seen: Set<String> = []
            var selfClosed = false
            while true {
                let spaced = skipSpace()
                if at(0) == UInt8(ascii: "/"), at(1) == UInt8(ascii: ">") { selfClosed = true; index += 2; break }
                if at(0) == UInt8(ascii: ">") { index += 1; break }
                guard spaced else { problem("no space before an attribute of <\(name)>"); return problems }
                let attribute = readName()
                guard !attribute.isEmpty else { problem("a malformed attribute in <\(name)>"); return problems }
                guard seen.insert(attribute).inserted else { problem("attribute \(attribute) twice in <\(name)>"); return problems }
                guard at(0) == UInt8(ascii: "="), at(1) == UInt8(ascii: "\"") else {
                    problem("attribute \(attribute) of <\(name)> is not =\"…\""); return problems
                }
                index += 2
                while let value = at(0), value != UInt8(ascii: "\"") {
                    if !checkCharacter(value) { return problems }
                }
                guard at(0) == UInt8(ascii: "\"") else { problem("an unterminated attribute value"); return problems }
                index += 1
            }
            let inSVG = name == "svg" || stack.contains("svg")
            if selfClosed {
                if !inSVG, !voidElements.contains(name) { problem("<\(name)/> is not a void element: HTML would leave it open"); return problems }
            } else {
                if voidElements.contains(name) { problem("<\(name)> is void and must be written <\(name)/>"); return problems }
                stack.append(name)
            }
        }
        if !stack.isEmpty { problems.append("unclosed at the end: \(stack.map { "<\($0)>" }.joined(separator: " "))") }
        if roots == 0 { problems.append("no root element") }
        return problems
    }
}

/// The page read by Foundation's XML parser (after the doctype): its errors, and the outline the
/// tests check (root, sections with their first child, SVGs with their attributes, first child and texts).
final class XMLOutline: NSObject, XMLParserDelegate {
    struct Section { var id: String; var firstChild: String? }
    struct SVG { var attributes: [String: String]; var firstChild: String?; var texts: Int }

    var errors: [String] = []
    var root: String?
    var rootAttributes: [String: String] = [:]
    var sections: [Section] = []
    var svgs: [SVG] = []
    private var stack: [(name: String, firstChild: String?)] = []
    private var openSVG: SVG?

    static func parse(_ page: String) -> XMLOutline {
        let outline = XMLOutline()
        let body = page.hasPrefix("<!DOCTYPE html>") ? String(page.dropFirst("<!DOCTYPE html>".count)) : page
        let parser = XMLParser(data: Data(body.utf8))
        parser.delegate = outline
        let parsed = parser.parse()
        if !parsed { outline.errors.append("parse() returned false") }
        if let error = parser.parserError { outline.errors.append("\(error)") }
        return outline
    }

    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
                attributes attributeDict: [String: String] = [:]) {
        if stack.isEmpty {
            root = elementName
            rootAttributes = attributeDict
        }
        if let last = stack.indices.last, stack[last].firstChild == nil {
            stack[last].firstChild = elementName
            if stack[last].name == "svg" { openSVG?.firstChild = elementName }
            if stack[last].name == "section" { sections[sections.count - 1].firstChild = elementName }
        }
        switch elementName {
        case "section": sections.append(Section(id: attributeDict["id"] ?? "", firstChild: nil))
        case "svg": openSVG = SVG(attributes: attributeDict, firstChild: nil, texts: 0)
        case "text": openSVG?.texts += 1
        default: break
        }
        stack.append((elementName, nil))
    }

    func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
        stack.removeLast()
        if elementName == "svg", let svg = openSVG {
            svgs.append(svg)
            openSVG = nil
        }
    }

    func parser(_ parser: XMLParser, parseErrorOccurred parseError: any Error) {
        errors.append("line \(parser.lineNumber), column \(parser.columnNumber): \(parseError)")
    }
}
