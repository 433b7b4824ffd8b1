/// An incremental RFC 4180 CSV parser over bytes, fed in chunks so no file is ever held whole.
///
/// It reports each record with the physical line it starts on, so errors can name the line a
/// person sees in an editor. A malformed record (a quote inside an unquoted field, text after a
/// closing quote, a field that is not UTF-8) is reported as such and parsing resumes at the next
/// line, so that every bad row of a file is listed, not just the first. Blank lines are skipped;
/// a UTF-8 byte order mark at the start is ignored; CRLF and LF line ends are both accepted.
public struct CSVReader: Sendable {
    /// One record: its fields, or why it could not be read.
    public enum Record: Sendable, Equatable {
        case fields([String])
        /// `field` is the 1-based position of the field where the problem was found.
        case malformed(field: Int, reason: String)
    }

    private enum State {
        case fieldStart, unquoted, quoted, quotedQuote, skipping
    }

    private var state = State.fieldStart
    private var field: [UInt8] = []
    private var fields: [String] = []
    private var error: (field: Int, reason: String)?
    private var line = 1
    private var recordLine = 1
    private var atFileStart = true
    private var bomBytesSeen = 0

    public init() {}

    /// Parses `bytes`, calling `onRecord(line, record)` for every record completed in them.
    public mutating func consume(_ bytes: UnsafeRawBufferPointer, _ onRecord: (Int, Record) throws -> Void) rethrows {
        var index = 0
        if atFileStart {
            // Skip a UTF-8 byte order mark (EF BB BF), possibly split across chunks.
            let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
            while index < bytes.count, bomBytesSeen < 3, bytes[index] == bom[bomBytesSeen] {
                bomBytesSeen += 1
                index += 1
            }
            if index < bytes.count || bomBytesSeen == 3 { atFileStart = false }
        }
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch state {
            case .fieldStart:
                switch byte {
                case UInt8(ascii: "\""): state = .quoted
                case UInt8(ascii: ","): endField()
                case 10: try endRecord(onRecord)
                default:
                    field.append(byte)
                    state = .unquoted
                }
            case .unquoted:
                switch byte {
                case UInt8(ascii: ","):
                    endField()
                    state = .fieldStart
                case 10:
                    if field.last == 13 { field.removeLast() }
                    try endRecord(onRecord)
                case UInt8(ascii: "\""):
                    fail("a quote inside an unquoted field (quote the whole field and double the quote)")
                default: field.append(byte)
                }
            case .quoted:
                if byte == UInt8(ascii: "\"") {
                    state = .quotedQuote
                } else {
                    if byte == 10 { line += 1 }
                    field.append(byte)
                }
            case .quotedQuote:
                switch byte {
                case UInt8(ascii: "\""):
                    field.append(byte)
                    state = .quoted
                case UInt8(ascii: ","):
                    endField()
                    state = .fieldStart
                case 10: try endRecord(onRecord)
                case 13: break
                default: fail("text after the closing quote of a field")
                }
            case .skipping:
                if byte == 10 { try endRecord(onRecord) }
            }
        }
    }

    /// Ends the input, reporting a last record without a line end, or an unterminated quote.
    public mutating func finish(_ onRecord: (Int, Record) throws -> Void) rethrows {
        switch state {
        case .quoted:
            fail("a quoted field is never closed (it opened on line \(recordLine))")
            try endRecord(onRecord)
        case .fieldStart:
            if !fields.isEmpty { try endRecord(onRecord) }
        case .unquoted, .quotedQuote, .skipping:
            if state == .unquoted, field.last == 13 { field.removeLast() }
            try endRecord(onRecord)
        }
    }

    private mutating func fail(_ reason: String) {
        if error == nil { error = (fields.count + 1, reason) }
        state = .skipping
    }

    private mutating func endField() {
        if error == nil {
            if let text = String(validating: field, as: UTF8.self) {
                fields.append(text)
            } else {
                error = (fields.count + 1, "not valid UTF-8")
                fields.append("")
            }
        }
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRecord(_ onRecord: (Int, Record) throws -> Void) rethrows {
        if state != .skipping { endField() }
        let startLine = recordLine
        let record: Record? =
            if let error {
                .malformed(field: error.field, reason: error.reason)
            } else if fields.count == 1 && fields[0].isEmpty {
                nil  // a blank line
            } else {
                .fields(fields)
            }
        fields.removeAll(keepingCapacity: true)
        field.removeAll(keepingCapacity: true)
        error = nil
        state = .fieldStart
        line += 1
        recordLine = line
        if let record { try onRecord(startLine, record) }
    }
}
