/// A reader of PostgreSQL's text form of a one-dimensional array (`array_out`), element by element.
///
/// Kept apart from the decoders so the quoting rules live in one place; the form is the server's
/// documented output (section 8.15.6 of the PostgreSQL manual), which is stricter than what it accepts
/// as input: no white space around elements, and every element that needs quotes has them.
struct PGArrayText {
    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(_ bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    /// The elements in order. A lower bound other than 1 (`[0:1]={a,b}`) changes no element, so the
    /// decoration is skipped.
    mutating func elements() throws -> [String] {
        if peek == UInt8(ascii: "[") {
            while let byte = peek, byte != UInt8(ascii: "=") { index += 1 }
            index += 1
        }
        try expect(UInt8(ascii: "{"))
        var elements: [String] = []
        if peek == UInt8(ascii: "}") {
            index += 1
        } else {
            while true {
                elements.append(try element())
                guard let separator = peek else { throw failure("unterminated array") }
                index += 1
                if separator == UInt8(ascii: "}") { break }
                guard separator == UInt8(ascii: ",") else { throw failure("expected ',' or '}'") }
            }
        }
        guard index == bytes.count else { throw failure("unexpected text after the array") }
        return elements
    }

    private var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

    private mutating func expect(_ byte: UInt8) throws {
        guard peek == byte else { throw failure("expected '\(Character(Unicode.Scalar(byte)))'") }
        index += 1
    }

    private func failure(_ message: String) -> PGDecodingFailure {
        PGDecodingFailure("\(message) at byte \(index) of array \"\(String(decoding: bytes, as: UTF8.self))\"")
    }

    private mutating func element() throws -> String {
        switch peek {
        case UInt8(ascii: "\""):
            index += 1
            var element: [UInt8] = []
            while true {
                guard var byte = peek else { throw failure("unterminated quoted element") }
                index += 1
                if byte == UInt8(ascii: "\"") { return String(decoding: element, as: UTF8.self) }
                if byte == UInt8(ascii: "\\") {
                    guard let escaped = peek else { throw failure("unterminated quoted element") }
                    byte = escaped
                    index += 1
                }
                element.append(byte)
            }
        case UInt8(ascii: "{"):
            throw failure("a multidimensional array is not a list of strings")
        default:
            let start = index
            while let byte = peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}") { index += 1 }
            let element = String(decoding: bytes[start..<index], as: UTF8.self)
            guard !element.isEmpty else { throw failure("empty unquoted element") }
            guard element.uppercased() != "NULL" else { throw failure("NULL element") }
            return element
        }
    }
}
