import FactorRiskCore
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    /// Every record of `input`, fed in chunks of the given sizes (cycled) to `reader`, as (line, record).
    private func read(_ input: [UInt8], chunks: [Int] = [Int.max], reader: CSVReader = CSVReader()) -> [String] {
        var reader = reader
        var out: [String] = []
        let collect: (Int, CSVReader.Record) -> Void = { line, record in
            switch record {
            case .fields(let fields): out.append("\(line): \(fields)")
            case .malformed(let field, let reason): out.append("\(line): malformed field \(field): \(reason)")
            }
        }
        var offset = 0
        var next = 0
        input.withUnsafeBytes { bytes in
            while offset < bytes.count {
                let size = min(chunks[next % chunks.count], bytes.count - offset)
                next += 1
                reader.consume(UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + size)]), collect)
                offset += size
            }
        }
        reader.finish(collect)
        return out
    }

    private func read(_ text: String, chunks: [Int] = [Int.max], reader: CSVReader = CSVReader()) -> [String] {
        read(Array(text.utf8), chunks: chunks, reader: reader)
    }

    @Test("plain records, with the line each starts on; blank lines skipped; CRLF and LF; no final line end")
    func plain() {
        #expect(read("a,b,c\n\n1,2,3\r\n4,,6\r\n\r\n7,8,") == [
            #"1: ["a", "b", "c"]"#, #"3: ["1", "2", "3"]"#, #"4: ["4", "", "6"]"#, #"6: ["7", "8", ""]"#,
        ])
    }

    @Test("quoted fields: commas, doubled quotes and line ends inside; the next record's line counts them")
    func quoted() {
        #expect(read("\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\"\nx,\"\",z\r\n") == [
            #"1: ["a,b", "say \"hi\"", "two\nlines"]"#, #"3: ["x", "", "z"]"#,
        ])
    }

    @Test("a byte order mark is skipped, even split across chunks; a carriage return inside a field stays")
    func byteOrderMark() {
        let input: [UInt8] = [0xEF, 0xBB, 0xBF] + Array("id\nA\rB,1\n".utf8)
        #expect(read(input, chunks: [1]) == [#"1: ["id"]"#, #"2: ["A\rB", "1"]"#])
        #expect(read(input) == read(input, chunks: [2, 1]))
    }

    @Test("malformed records are reported with their field, and reading resumes on the next line")
    func malformed() {
        #expect(read("ok,1\nbad\"x,2\n\"q\"tail,3\nfine,4\n\"never closed,5\nlast\n") == [
            #"1: ["ok", "1"]"#,
            "2: malformed field 1: a quote inside an unquoted field (quote the whole field and double the quote)",
            "3: malformed field 1: text after the closing quote of a field",
            #"4: ["fine", "4"]"#,
            "5: malformed field 1: a quoted field is never closed (it opened on line 5)",
        ])
    }

    @Test("a field that is not UTF-8 makes its record malformed at that field")
    func invalidUTF8() {
        let input: [UInt8] = Array("a,b\nc,".utf8) + [0xC3, 0x28] + Array(",d\né,ü\n".utf8)
        #expect(read(input) == [
            #"1: ["a", "b"]"#, "2: malformed field 2: not valid UTF-8", #"3: ["é", "ü"]"#,
        ])
    }

    @Test("random inputs read the same whatever the chunks they arrive in, and lent fields equal the strings")
    func chunkIndependence() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [[UInt8]] = [[UInt8(ascii: "a")], [UInt8(ascii: "7")], [UInt8(ascii: ",")], [UInt8(ascii: "\"")],
                                   [10], [13, 10], [13], [0xC3, 0xA9], [0xFF], [UInt8(ascii: " ")]]
        for _ in 0..<300 {
            var input: [UInt8] = Bool.random(using: &generator) ? [0xEF, 0xBB, 0xBF] : []
            for _ in 0..<Int.random(in: 0...60, using: &generator) {
                input += alphabet.randomElement(using: &generator)!
            }
            let whole = read(input)
            let sizes = (0..<4).map { _ in Int.random(in: 1...9, using: &generator) }
            #expect(read(input, chunks: sizes) == whole, "input \(input) in chunks \(sizes)")
            #expect(read(input, chunks: [1]) == whole, "input \(input) byte by byte")
            #expect(lent(input) == whole, "input \(input) lent")
        }
    }

    @Test("a field of exactly the cap is read; one byte more stops the reader at that line and field, the rest unread")
    func fieldCap() {
        let small = CSVReader(fieldLimit: 8, recordLimit: 64)
        let rest = "; the rest of the file is not read"
        #expect(read("a,12345678,\"1234567\"\"\"\nb,123456789\nc,1\n", reader: small) == [
            #"1: ["a", "12345678", "1234567\""]"#, "2: malformed field 2: a field longer than 8 bytes\(rest)",
        ])
        #expect(read("a,\"1\n234567\"\nb,\"12345678\"\"\"\nc\n", chunks: [3], reader: small) == [
            #"1: ["a", "1\n234567"]"#, "3: malformed field 2: a field longer than 8 bytes (an unclosed quote?)\(rest)",
        ])
    }

    @Test("a record of exactly the cap is read; a longer one stops the reader at the field that passes it")
    func recordCap() {
        let small = CSVReader(fieldLimit: 8, recordLimit: 20)
        #expect(read("12345678,12345678,12\n12345678,12345678,123\nx\n", chunks: [5], reader: small) == [
            #"1: ["12345678", "12345678", "12"]"#,
            "2: malformed field 3: a record longer than 20 bytes; the rest of the file is not read",
        ])
        // A malformed record is skipped to its line end, but no further than the cap.
        #expect(read("x\"y,zzzzzzzzzzzzzzzzzzzzzzzz\nok\n", reader: small) == [
            "1: malformed field 1: a quote inside an unquoted field (quote the whole field and double the quote), "
                + "then a record longer than 20 bytes; the rest of the file is not read",
        ])
    }

    @Test("a record with more fields than the cap stops the reader")
    func fieldCountCap() {
        #expect(read("a,b,c\n,,,\nd\n", reader: CSVReader(fieldCountLimit: 3)) == [
            #"1: ["a", "b", "c"]"#, "2: malformed field 4: more than 3 fields in one record; the rest of the file is not read",
        ])
    }

    @Test("a NUL byte is malformed at its line and stops the reader: an endless stream of them (/dev/zero) is stopped at once")
    func nulBytes() {
        #expect(read(Array("a,b\nc,d".utf8) + [0] + Array("e\nf,g\n".utf8)) == [
            #"1: ["a", "b"]"#,
            "2: malformed field 2: a NUL byte (a text file has none: a binary file, or UTF-16?); the rest of the file is not read",
        ])
        var reader = CSVReader()
        var records: [String] = []
        let zeros = [UInt8](repeating: 0, count: 1 << 16)
        for _ in 0..<64 {
            zeros.withUnsafeBytes { chunk in reader.consume(chunk) { line, record in records.append("\(line): \(record)") } }
            if reader.isStopped { break }
        }
        #expect(reader.isStopped)
        #expect(records.count == 1 && records[0].hasPrefix("1: malformed(field: 1, reason: \"a NUL byte"), "\(records)")
    }

    /// Feeds `head`, then `tail` over and over (up to `megabytes` MiB), in chunks of 64 KiB or more, until
    /// the reader stops; returns what it reported and the most it held after any chunk.
    private func runaway(_ head: String, _ tail: [UInt8], megabytes: Int) -> (records: [String], maxHeld: Int, stopped: Bool) {
        var reader = CSVReader()
        var records: [String] = []
        var maxHeld = 0
        let collect: (Int, CSVReader.Record) -> Void = { line, record in
            if case .malformed(let field, let reason) = record { records.append("\(line): malformed field \(field): \(reason)") }
        }
        Array(head.utf8).withUnsafeBytes { reader.consume($0, collect) }
        var chunk: [UInt8] = []
        while chunk.count < 1 << 16 { chunk += tail }
        for _ in 0..<(megabytes << 4) where !reader.isStopped {
            chunk.withUnsafeBytes { reader.consume($0, collect) }
            maxHeld = max(maxHeld, reader.heldBytes)
        }
        return (records, maxHeld, reader.isStopped)
    }

    @Test("an unclosed quote followed by megabytes stops at 64 KiB, holding no more than the record cap on the way")
    func unclosedQuoteIsBounded() {
        let quote = runaway("doc_ref,client_ref\nI1,\"C1\n", Array("I2,C1,D1,invoice,EUR,1.00\n".utf8), megabytes: 8)
        #expect(quote.stopped)
        #expect(quote.records == [
            "2: malformed field 2: a field longer than 65,536 bytes (an unclosed quote?); the rest of the file is not read",
        ])
        // Past the field cap, a record of many fields each under it: held up to 1 MiB, then stopped.
        let fields = runaway("a\n", Array(String(repeating: "x", count: 60_000).utf8) + [UInt8(ascii: ",")], megabytes: 8)
        #expect(fields.stopped)
        #expect(fields.records.first?.hasPrefix("2: malformed field 18: a record longer than 1,048,576 bytes") == true, "\(fields.records)")
        // The allocator may round a block up by a page; never by a doubling.
        for held in [quote.maxHeld, fields.maxHeld] { #expect(held <= CSVReader.defaultRecordLimit + 4096, "held \(held) bytes") }
    }

    @Test("random inputs under small caps read the same whatever the chunks they arrive in")
    func chunkIndependenceUnderCaps() {
        var generator = SystemRandomNumberGenerator()
        let alphabet: [[UInt8]] = [[UInt8(ascii: "a")], [UInt8(ascii: ",")], [UInt8(ascii: "\"")], [10], [13, 10], [0xC3, 0xA9], [0]]
        let small = CSVReader(fieldLimit: 4, recordLimit: 12, fieldCountLimit: 5)
        for _ in 0..<300 {
            var input: [UInt8] = []
            for _ in 0..<Int.random(in: 0...60, using: &generator) {
                input += alphabet.randomElement(using: &generator)!
            }
            let whole = read(input, reader: small)
            let sizes = (0..<4).map { _ in Int.random(in: 1...9, using: &generator) }
            #expect(read(input, chunks: sizes, reader: small) == whole, "input \(input) in chunks \(sizes)")
            #expect(read(input, chunks: [1], reader: small) == whole, "input \(input) byte by byte")
        }
    }

    /// The records of `input` through `consumeFields`, turned into strings by the test.
    private func lent(_ input: [UInt8]) -> [String] {
        var reader = CSVReader()
        var out: [String] = []
        let collect: (Int, CSVReader.RawRecord) -> Void = { line, record in
            switch record {
            case .fields(let fields):
                let strings = (0..<fields.count).map { String(decoding: fields[$0], as: UTF8.self) }
                out.append("\(line): \(strings)")
            case .malformed(let field, let reason): out.append("\(line): malformed field \(field): \(reason)")
            }
        }
        input.withUnsafeBytes { reader.consumeFields($0, collect) }
        reader.finishFields(collect)
        return out
    }
}
