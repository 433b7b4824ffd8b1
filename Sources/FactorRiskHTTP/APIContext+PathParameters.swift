import Hummingbird

extension APIContext {
    /// The path parameter `name`, percent-decoded.
    ///
    /// Hummingbird's router matches the raw path, segment by segment, and hands each captured segment
    /// over as it came on the wire (`D%201`), while query parameters arrive decoded. A reference with a
    /// space, an accent, a `/` or a `%` is only reachable escaped, so every controller reads its path
    /// parameters here and none sees an escape. A malformed escape (`%4`, `%zz`) or bytes that are not
    /// UTF-8 are the client's mistake: a 400 naming the parameter, never a failed lookup or a 500.
    func pathParameter(_ name: String) throws(APIError) -> String {
        guard let raw = parameters.get(name) else { throw APIError.invalidParameter(name, "is required") }
        guard let decoded = Self.percentDecoded(raw) else {
            throw APIError.invalidParameter(name, "\"\(raw)\" is not a valid percent-encoded UTF-8 path segment")
        }
        return decoded
    }

    /// `text` with each `%XY` replaced by its byte, nil when an escape is malformed or the bytes are not UTF-8.
    static func percentDecoded(_ text: some StringProtocol) -> String? {
        guard text.contains("%") else { return String(text) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.utf8.count)
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
