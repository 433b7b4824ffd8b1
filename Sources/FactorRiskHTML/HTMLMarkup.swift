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
