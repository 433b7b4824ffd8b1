/// An incremental RFC 4180 CSV parser over bytes, fed in chunks so no file is ever held whole.
///
/// It reports each record with the physical line it starts on, so errors can name the line a
/// person sees in an editor. A malformed record (a quote inside an unquoted field, text after a
/// closing quote, a field that is not UTF-8) is reported as such and parsing resumes at the next
/// line, so that every bad row of a file is listed, not just the first. Blank lines are skipped;
/// a UTF-8 byte order mark at the start is ignored; CRLF and LF line ends are both accepted.
///
/// Two ways to read: `consume` hands each record over as strings; `consumeFields` lends the
/// record's bytes for the time of the call, with no string made (the import's path, where a
/// million rows of ten fields would otherwise be ten million strings).
public struct CSVReader: Sendable {
    /// One record: its fields, or why it could not be read.
    public enum Record: Sendable, Equatable {
        case fields([String])
        /// `field` is the 1-based position of the field where the problem was found.
        case malformed(field: Int, reason: String)
    }

    /// One record as lent by `consumeFields`: valid only inside the call it is passed to.
    public enum RawRecord {
        case fields(Fields)
        case malformed(field: Int, reason: String)
    }

    /// The fields of a record, as UTF-8 bytes (already checked to be valid UTF-8), quotes removed.
    public struct Fields {
        let bytes: UnsafeBufferPointer<UInt8>
        let ends: UnsafeBufferPointer<Int>

        public var count: Int { ends.count }

        /// The bytes of field `index` (0-based).
        public subscript(index: Int) -> UnsafeBufferPointer<UInt8> {
            let start = index == 0 ? 0 : ends[index - 1]
            return UnsafeBufferPointer(rebasing: bytes[start..<ends[index]])
        }

        public func string(_ index: Int) -> String { String(decoding: self[index], as: UTF8.self) }

        /// Lends `strings` as fields, for callers that hold a record as strings.
        public static func withFields<T>(of strings: [String], _ body: (Fields) throws -> T) rethrows -> T {
            var bytes: [UInt8] = []
            var ends: [Int] = []
            for string in strings {
                bytes.append(contentsOf: string.utf8)
                ends.append(bytes.count)
            }
            return try bytes.withUnsafeBufferPointer { bytes in
                try ends.withUnsafeBufferPointer { ends in try body(Fields(bytes: bytes, ends: ends)) }
            }
        }
    }

    private enum State {
        case fieldStart, unquoted, quoted, quotedQuote, skipping
    }

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let newline: UInt8 = 10
    private static let carriageReturn: UInt8 = 13
    private static let byteOrderMark: [UInt8] = [0xEF, 0xBB, 0xBF]

    private var state = State.fieldStart
    /// The bytes of the record's fields so far, one after the other; `ends` marks where each ends.
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    /// The field where the record went wrong (1-based; 0 while it has not) and why.
    private var errorField = 0
    private var errorReason = ""
    private var line = 1
    private var recordLine = 1
    private var atFileStart = true
    private var bomBytesSeen = 0

    public init() {
        bytes.reserveCapacity(1024)
        ends.reserveCapacity(32)
    }

    /// Parses `chunk`, calling `onRecord(line, record)` for every record completed in it.
    public mutating func consume(_ chunk: UnsafeRawBufferPointer, _ onRecord: (Int, Record) throws -> Void) rethrows {
        try consumeFields(chunk) { line, record in try onRecord(line, Self.strings(record)) }
    }

    /// Ends the input, reporting a last record without a line end, or an unterminated quote.
    public mutating func finish(_ onRecord: (Int, Record) throws -> Void) rethrows {
        try finishFields { line, record in try onRecord(line, Self.strings(record)) }
    }

    private static func strings(_ record: RawRecord) -> Record {
        switch record {
        case .fields(let fields): .fields((0..<fields.count).map(fields.string))
        case .malformed(let field, let reason): .malformed(field: field, reason: reason)
        }
    }

    /// Parses `chunk`, lending every record completed in it to `onRecord(line, record)`.
    public mutating func consumeFields(_ chunk: UnsafeRawBufferPointer, _ onRecord: (Int, RawRecord) throws -> Void) rethrows {
        let input = chunk.assumingMemoryBound(to: UInt8.self)
        let count = input.count
        var index = 0
        if atFileStart {
            // Skip a UTF-8 byte order mark (EF BB BF), possibly split across chunks.
            while index < count, bomBytesSeen < 3, input[index] == Self.byteOrderMark[bomBytesSeen] {
                bomBytesSeen += 1
                index += 1
            }
            if index < count || bomBytesSeen == 3 { atFileStart = false }
        }
        while index < count {
            switch state {
            case .fieldStart:
                let byte = input[index]
                if byte == Self.quote {
                    state = .quoted
                    index += 1
                } else if byte == Self.comma {
                    endField()
                    index += 1
                } else if byte == Self.newline {
                    index += 1
                    try endRecord(onRecord)
                } else {
                    state = .unquoted
                }
            case .unquoted:
                // The field's bytes up to the next comma, line end or (misplaced) quote, in one go.
                let start = index
                while index < count {
                    let byte = input[index]
                    if byte == Self.comma || byte == Self.newline || byte == Self.quote { break }
                    index += 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
                guard index < count else { break }
                let byte = input[index]
                index += 1
                if byte == Self.comma {
                    endField()
                    state = .fieldStart
                } else if byte == Self.newline {
                    if bytes.last == Self.carriageReturn, bytes.count > (ends.last ?? 0) { bytes.removeLast() }
                    try endRecord(onRecord)
                } else {
                    fail("a quote inside an unquoted field (quote the whole field and double the quote)")
                }
            case .quoted:
                let start = index
                while index < count, input[index] != Self.quote {
                    if input[index] == Self.newline { line += 1 }
                    index += 1
                }
                bytes.append(contentsOf: UnsafeBufferPointer(rebasing: input[start..<index]))
                if index < count {
                    state = .quotedQuote
                    index += 1
                }
            case .quotedQuote:
                let byte = input[index]
                index += 1
                if byte == Self.quote {
                    bytes.append(byte)
                    state = .quoted
                } else if byte == Self.comma {
                    endField()
                    state = .fieldStart
                } else if byte == Self.newline {
                    try endRecord(onRecord)
                } else if byte != Self.carriageReturn {
                    fail("text after the closing quote of a field")
                }
            case .skipping:
                while index < count, input[index] != Self.newline { index += 1 }
                if index < count {
                    index += 1
                    try endRecord(onRecord)
                }
            }
        }
    }

    /// Ends the input, lending a last record without a line end, or reporting an unterminated quote.
    public mutating func finishFields(_ onRecord: (Int, RawRecord) throws -> Void) rethrows {
        switch state {
        case .quoted:
            fail("a quoted field is never closed (it opened on line \(recordLine))")
            try endRecord(onRecord)
        case .fieldStart:
            if !ends.isEmpty { try endRecord(onRecord) }
        case .unquoted, .quotedQuote, .skipping:
            if state == .unquoted, bytes.last == Self.carriageReturn, bytes.count > (ends.last ?? 0) { bytes.removeLast() }
            try endRecord(onRecord)
        }
    }

    private mutating func fail(_ reason: String) {
        if errorField == 0 {
            errorField = ends.count + 1
            errorReason = reason
        }
        state = .skipping
    }

    private mutating func endField() {
        let start = ends.last ?? 0
        if errorField == 0 {
            // ASCII, the common case, is valid UTF-8 as it stands; anything else is checked.
            let field = bytes[start...]
            if !field.allSatisfy({ $0 < 0x80 }), String(validating: field, as: UTF8.self) == nil {
                errorField = ends.count + 1
                errorReason = "not valid UTF-8"
            }
        }
        ends.append(bytes.count)
    }

    private mutating func endRecord(_ onRecord: (Int, RawRecord) throws -> Void) rethrows {
        if state != .skipping { endField() }
        let startLine = recordLine
        let blank = ends.count == 1 && ends[0] == 0
        let failed = errorField
        let reason = errorReason
        state = .fieldStart
        line += 1
        recordLine = line
        errorField = 0
        defer {
            bytes.removeAll(keepingCapacity: true)
            ends.removeAll(keepingCapacity: true)
        }
        if failed != 0 {
            try onRecord(startLine, .malformed(field: failed, reason: reason))
        } else if !blank {
            try bytes.withUnsafeBufferPointer { bytes in
                try ends.withUnsafeBufferPointer { ends in try onRecord(startLine, .fields(Fields(bytes: bytes, ends: ends))) }
            }
        }
    }
}
