import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

@Suite("COPY streaming in and out")
struct CopyTests {
    let connection: PGConnection

    init() async throws {
        connection = try await TestCluster.shared.freshDatabase("copy").connect()
        try connection.execute("CREATE TABLE sample (id int8 PRIMARY KEY, label text, note text, amount int8)")
    }

    /// Row `i` of the sample, with NULLs, quotes, commas, newlines and non-ASCII text by turns.
    static func sampleRow(_ i: Int) -> (id: Int, label: String?, note: String, amount: Int64?) {
        let labels: [String?] = [nil, "plain", "comma, inside", "quote \"here\"", "line\nbreak", "Zürich – 東京 🚚", "", "cr\r\nlf"]
        return (i, labels[i % labels.count], "note \(i)", i % 5 == 0 ? nil : Int64(i) * 1_000 - 7)
    }

    /// The CSV PostgreSQL itself writes: a field is quoted when it holds a comma, quote, CR or LF,
    /// or is an empty string (which must differ from NULL, written as nothing).
    static func csvField(_ value: String?) -> String {
        guard let value else { return "" }
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
        guard needsQuotes else { return value }
        return "\"" + value.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }

    static func csvLine(_ i: Int) -> String {
        let row = sampleRow(i)
        return [String(row.id), csvField(row.label), csvField(row.note), row.amount.map(String.init) ?? ""].joined(separator: ",") + "\n"
    }

    @Test("100,000 rows with NULLs, quotes, commas, newlines and non-ASCII text round-trip byte for byte")
    func roundTrip() throws {
        let count = 100_000
        var sent: [UInt8] = []
        let stored = try connection.copyIn("COPY sample FROM STDIN (FORMAT csv)") { writer in
            for i in 0..<count {
                let line = Self.csvLine(i)
                sent.append(contentsOf: line.utf8)
                try writer.write(line)
            }
        }
        #expect(stored == count)

        // What the server holds, checked field by field through a query (not through COPY).
        for i in [0, 1, 2, 3, 4, 5, 6, 7, 99_999] {
            let row = try #require(try connection.query("SELECT label, note, amount FROM sample WHERE id = $1", [i]).first)
            let expected = Self.sampleRow(i)
            #expect(try row.decode(String?.self, at: 0) == expected.label)
            #expect(try row.decode(String.self, at: 1) == expected.note)
            #expect(try row.decode(Int64?.self, at: 2) == expected.amount)
        }
        let nulls = try connection.query("SELECT count(*) FILTER (WHERE label IS NULL), count(*) FILTER (WHERE label = '') FROM sample")
        #expect(try nulls.first?.decode(Int.self, at: 0) == count / 8)
        #expect(try nulls.first?.decode(Int.self, at: 1) == count / 8)

        var received: [UInt8] = []
        let rows = try connection.copyOut("COPY (SELECT * FROM sample ORDER BY id) TO STDOUT (FORMAT csv)") { bytes in
            received.append(contentsOf: bytes)
        }
        // A row with a newline inside a quoted field is still one row of the stream.
        #expect(rows == count)
        #expect(received == sent)
    }

    @Test("a COPY whose writer throws stores nothing and leaves the connection usable")
    func abortedCopyStoresNothing() throws {
        struct BadInput: Error {}
        #expect(throws: BadInput.self) {
            try connection.copyIn("COPY sample FROM STDIN (FORMAT csv)") { writer in
                for i in 0..<1_000 { try writer.write(Self.csvLine(i)) }
                throw BadInput()
            }
        }
        #expect(try connection.query("SELECT count(*) FROM sample").first?.decode(Int.self, at: 0) == 0)
    }

    @Test("a malformed COPY row is reported with the server's line number and stores nothing")
    func malformedRowIsReported() throws {
        let error = #expect(throws: PGError.self) {
            try connection.copyIn("COPY sample FROM STDIN (FORMAT csv)") { writer in
                try writer.write("1,a,b,10\n2,c,d,not-a-number\n")
            }
        }
        #expect(error?.sqlState == "22P02")
        #expect(error?.kind == .copy)
        #expect(try connection.query("SELECT count(*) FROM sample").first?.decode(Int.self, at: 0) == 0)
    }

    @Test("COPY out stops cleanly when the reader throws, and the connection stays usable")
    func copyOutReaderThrows() throws {
        struct Enough: Error {}
        try connection.copyIn("COPY sample FROM STDIN (FORMAT csv)") { writer in
            for i in 0..<10_000 { try writer.write(Self.csvLine(i)) }
        }
        var seen = 0
        #expect(throws: Enough.self) {
            try connection.copyOut("COPY sample TO STDOUT") { _ in
                seen += 1
                if seen == 10 { throw Enough() }
            }
        }
        #expect(seen == 10)
        #expect(try connection.query("SELECT count(*) FROM sample").first?.decode(Int.self, at: 0) == 10_000)
    }
}
