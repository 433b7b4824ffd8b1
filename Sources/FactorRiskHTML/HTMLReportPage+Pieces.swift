import FactorRiskCore

// The pieces every section is built of: sections, tables, flag chips and SVG shapes.
extension HTMLReportPage {
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
}
