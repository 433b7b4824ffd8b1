/// The reference strings of a synthetic portfolio: `C000001`, `D0000001`, `G00001`, `I0000000001`.
///
/// Fixed-width, zero-padded numbers sort in byte order the way they count, which is the order
/// reports list rows in (RULEBOOK §2). Client and debtor refs are made once and reused by every
/// document row that names them.
struct SyntheticRefs: Sendable {
    let clients: [String]
    let debtors: [String]
    let groups: [String]

    init(clientCount: Int, debtorCount: Int, groupCount: Int) {
        clients = Self.all(prefix: UInt8(ascii: "C"), count: clientCount, minimumWidth: 6)
        debtors = Self.all(prefix: UInt8(ascii: "D"), count: debtorCount, minimumWidth: 7)
        groups = Self.all(prefix: UInt8(ascii: "G"), count: groupCount, minimumWidth: 5)
    }

    /// Refs 1...count with `prefix`, padded to at least `minimumWidth` digits (more if needed).
    static func all(prefix: UInt8, count: Int, minimumWidth: Int) -> [String] {
        let width = self.width(for: count, minimum: minimumWidth)
        return (0..<count).map { make(prefix: prefix, number: $0 + 1, width: width) }
    }

    /// The number of digits the refs up to `count` need, at least `minimum`.
    static func width(for count: Int, minimum: Int) -> Int {
        var digits = 1
        var rest = count / 10
        while rest > 0 {
            digits += 1
            rest /= 10
        }
        return max(minimum, digits)
    }

    /// `prefix` then `number` zero-padded to `width` digits, written straight into the string's
    /// storage (refs up to 15 bytes stay inline, with no allocation).
    static func make(prefix: UInt8, number: Int, width: Int) -> String {
        String(unsafeUninitializedCapacity: width + 1) { buffer in
            buffer[0] = prefix
            var rest = number
            var position = width
            while position > 0 {
                buffer[position] = UInt8(ascii: "0") + UInt8(rest % 10)
                rest /= 10
                position -= 1
            }
            return width + 1
        }
    }
}
