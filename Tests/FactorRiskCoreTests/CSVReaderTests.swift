import FactorRiskCore
import Testing

@Suite("CSV reader")
struct CSVReaderTests {
    /// Every record of `input`, fed in chunks of the given sizes (cycled), as (line, record).
    private func read(_ input: [UInt8], chunks: [Int] = [Int.max]) -> [String] {
        var reader = CSVReader()
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

    private func read(_ text: String, chunks: [Int] = [Int.max]) -> [String] { read(Array(text.utf8), chunks: chunks) }

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
