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
///
/// What one record may hold is capped (`fieldLimit`, `recordLimit`, `fieldCountLimit`), far above
/// any real row: an unclosed quote in a large file, or a file that never ends, would otherwise be
/// held whole. The first record past a cap, or holding a NUL byte (a text file has none), is
/// reported malformed at its line and field and the reader stops: what follows cannot be told
/// apart from the runaway field, so it is not read (`isStopped`).
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

    /// The default cap on one field, in bytes as held (quotes removed): 64 KiB, where a real
    /// name or reference takes at most a few hundred.
    public static let defaultFieldLimit = 65_536
    /// The default cap on one record, in bytes as written up to its line feed: 1 MiB.
    public static let defaultRecordLimit = 1_048_576
    /// The default cap on the fields of one record: no bundle file has more than a dozen columns.
    public static let defaultFieldCountLimit = 4_096

    /// The longest field accepted, in bytes as held (a doubled quote counts once).
    public let fieldLimit: Int
    /// The longest record accepted, in bytes as written; it also bounds what the reader holds.
    public let recordLimit: Int
    /// The most fields one record may have.
    public let fieldCountLimit: Int

    private enum State {
        case fieldStart, unquoted, quoted, quotedQuote, skipping
        /// A cap was passed or a NUL byte met: the rest of the input is ignored.
        case stopped
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
    /// Bytes of input before the current chunk, and where in the input the current record began.
    private var consumed = 0
    private var recordStart = 0

    /// A reader with the given caps; the defaults are the ones the import documents (README).
    public init(fieldLimit: Int = defaultFieldLimit, recordLimit: Int = defaultRecordLimit,
                fieldCountLimit: Int = defaultFieldCountLimit) {
        self.fieldLimit = max(1, fieldLimit)
        self.recordLimit = max(1, recordLimit)
        self.fieldCountLimit = max(1, fieldCountLimit)
        bytes.reserveCapacity(min(1024, self.recordLimit))
        ends.reserveCapacity(32)
    }

    /// True once a record passed a cap or held a NUL byte: the reader ignores further input, and a
    /// caller reading a file can stop reading it.
    public var isStopped: Bool { state == .stopped }

    /// The bytes the reader holds for the record being read: at most `recordLimit` (plus what the
    /// allocator rounds up to), whatever the input.
    public var heldBytes: Int { bytes.capacity }

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
        defer { consumed += count }
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
            case .stopped:
                return
            case .fieldStart:
                let byte = input[index]
                if byte == Self.quote {
                    state = .quoted
                    index += 1
                } else if byte == Self.comma {
                    index += 1
                    try nextField(onRecord)
                } else if byte == Self.newline {
                    index += 1
                    try endRecord(at: consumed + index, onRecord)
                } else {
                    state = .unquoted
                }
            case .unquoted:
                // The field's bytes up to the next comma, line end, NUL or (misplaced) quote, in one
                // go, looking no further than the caps allow.
                let start = index
                let room = self.room(at: index)
                let end = min(count, index + max(room, 0) + 1)
                while index < end {
                    let byte = input[index]
                    // Every byte that ends the scan sorts at or below the comma; most text sorts above it.
                    if byte <= Self.comma, byte == Self.comma || byte == Self.newline || byte == Self.quote || byte == 0 { break }
                    index += 1
                }
                if index - start > room {
                    try stop(oversize(at: start, quoted: false), onRecord)
                    break
                }
                append(UnsafeBufferPointer(rebasing: input[start..<index]))
                guard index < count else { break }
                let byte = input[index]
                index += 1
                if byte == Self.comma {
                    try nextField(onRecord)
                } else if byte == Self.newline {
                    if bytes.last == Self.carriageReturn, bytes.count > (ends.last ?? 0) { bytes.removeLast() }
                    try endRecord(at: consumed + index, onRecord)
                } else if byte == 0 {
                    try stop(Self.nulByte, onRecord)
                } else {
                    fail("a quote inside an unquoted field (quote the whole field and double the quote)")
                }
            case .quoted:
                let start = index
                let room = self.room(at: index)
                let end = min(count, index + max(room, 0) + 1)
                while index < end, input[index] != Self.quote, input[index] != 0 {
                    if input[index] == Self.newline { line += 1 }
                    index += 1
                }
                if index - start > room {
                    try stop(oversize(at: start, quoted: true), onRecord)
                    break
                }
                append(UnsafeBufferPointer(rebasing: input[start..<index]))
                guard index < count else { break }
                if input[index] == 0 {
                    try stop(Self.nulByte, onRecord)
                } else {
                    state = .quotedQuote
                    index += 1
                }
            case .quotedQuote:
                let byte = input[index]
                index += 1
                if byte == Self.quote {
                    // A doubled quote: one quote of the field's text.
                    if room(at: index - 1) < 1 {
                        try stop(oversize(at: index - 1, quoted: true), onRecord)
                    } else {
                        append(UnsafeBufferPointer(rebasing: input[(index - 1)..<index]))
                        state = .quoted
                    }
                } else if byte == Self.comma {
                    try nextField(onRecord)
                } else if byte == Self.newline {
                    try endRecord(at: consumed + index, onRecord)
                } else if byte != Self.carriageReturn {
                    fail("text after the closing quote of a field")
                }
            case .skipping:
                // The rest of a malformed record, up to its line end: not kept, but still capped.
                let start = index
                let room = recordLimit - (consumed + index - recordStart)
                let end = min(count, index + max(room, 0) + 1)
                while index < end, input[index] != Self.newline { index += 1 }
                if index - start > room {
                    try stop("a record longer than \(Self.grouped(recordLimit)) bytes", onRecord)
                    break
                }
                if index < count {
                    index += 1
                    try endRecord(at: consumed + index, onRecord)
                }
            }
        }
    }

    /// Ends the input, lending a last record without a line end, or reporting an unterminated quote.
    public mutating func finishFields(_ onRecord: (Int, RawRecord) throws -> Void) rethrows {
        switch state {
        case .stopped:
            return
        case .quoted:
            fail("a quoted field is never closed (it opened on line \(recordLine))")
            try endRecord(at: consumed, onRecord)
        case .fieldStart:
            if !ends.isEmpty { try endRecord(at: consumed, onRecord) }
        case .unquoted, .quotedQuote, .skipping:
            if state == .unquoted, bytes.last == Self.carriageReturn, bytes.count > (ends.last ?? 0) { bytes.removeLast() }
            try endRecord(at: consumed, onRecord)
        }
    }

    private static let nulByte = "a NUL byte (a text file has none: a binary file, or UTF-16?)"

    /// How many more bytes the field being read may take at input position `index`: the lesser of
    /// what is left under the field cap and under the record cap.
    private func room(at index: Int) -> Int {
        min(fieldLimit - (bytes.count - (ends.last ?? 0)), recordLimit - (consumed + index - recordStart))
    }

    /// Why the field that started taking bytes at `index` is refused: which cap it passed.
    private func oversize(at index: Int, quoted: Bool) -> String {
        let fieldRoom = fieldLimit - (bytes.count - (ends.last ?? 0))
        let recordRoom = recordLimit - (consumed + index - recordStart)
        let what = fieldRoom <= recordRoom ? "a field longer than \(Self.grouped(fieldLimit))" : "a record longer than \(Self.grouped(recordLimit))"
        return what + " bytes" + (quoted ? " (an unclosed quote?)" : "")
    }

    private static func grouped(_ count: Int) -> String { Money.format(Int64(count), exponent: 0, grouping: true) }

    /// Appends to the record's bytes, growing the storage as an array would but never past the
    /// record cap (the caller has checked the bytes fit), so what the reader holds stays bounded.
    private mutating func append(_ span: UnsafeBufferPointer<UInt8>) {
        let needed = bytes.count + span.count
        if needed > bytes.capacity { bytes.reserveCapacity(min(max(needed, 2 * bytes.capacity), recordLimit)) }
        bytes.append(contentsOf: span)
    }

    /// Ends the field at a comma: another one starts, unless the record already has all it may.
    private mutating func nextField(_ onRecord: (Int, RawRecord) throws -> Void) rethrows {
        endField()
        if ends.count >= fieldCountLimit {
            try stop("more than \(Self.grouped(fieldCountLimit)) fields in one record", onRecord)
        } else {
            state = .fieldStart
        }
    }

    /// Reports the record as malformed at once, releases what it held and ignores the rest of the
    /// input. A reason found earlier in the record (it was being skipped) comes first.
    private mutating func stop(_ reason: String, _ onRecord: (Int, RawRecord) throws -> Void) rethrows {
        let field = errorField != 0 ? errorField : ends.count + 1
        let why = errorField != 0 ? "\(errorReason), then \(reason)" : reason
        state = .stopped
        bytes = []
        ends = []
        try onRecord(recordLine, .malformed(field: field, reason: why + "; the rest of the file is not read"))
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

    /// Ends the record; the next one starts at input position `next` (counted from the first chunk).
    private mutating func endRecord(at next: Int, _ onRecord: (Int, RawRecord) throws -> Void) rethrows {
        recordStart = next
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
