import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

@Suite("text[] columns decode to [String]")
struct TextArrayTests {
    let connection: PGConnection

    init() async throws {
        connection = try await TestCluster.shared.freshDatabase("text-array").connect()
    }

    /// Elements the server must quote or escape, and some it writes bare.
    static let awkward = [
        "plain", "with space", " leading and trailing ", "a,b", "{braced}", "}", "{", #"say "hi""#, #"back\slash"#, #"\"#,
        #"\""#, "", "NULL", "null", "Société Générale – 東京 ✓", "tab\tand\nnewline", "emoji 🧾", "[0:1]=", "=",
    ]

    @Test("every element round-trips: quotes, backslashes, commas, braces, spaces, unicode, the word NULL, the empty string")
    func roundTrip() throws {
        let row = try #require(try connection.query("SELECT $1::text[], $1::varchar[]", [Self.awkward]).first)
        #expect(try row.decode([String].self, at: 0) == Self.awkward)
        #expect(try row.decode([String].self, at: 1) == Self.awkward)
        // Each element alone, so the first and last positions see every case too.
        for element in Self.awkward {
            let single = try #require(try connection.query("SELECT ARRAY[$1::text]", [element]).first)
            #expect(try single.decode([String].self, at: 0) == [element], "\(element)")
        }
    }

    @Test("the empty array, a NULL array, a lower bound other than 1, and char(n) elements")
    func shapes() throws {
        let row = try #require(try connection.query("""
            SELECT '{}'::text[], NULL::text[], '[0:2]={x,"y z",w}'::text[], ARRAY['EUR', 'US']::char(3)[], ARRAY['a b']::name[]
            """).first)
        #expect(try row.decode([String].self, at: 0) == [])
        #expect(try row.decode([String]?.self, at: 1) == nil)
        #expect(try row.decode([String].self, at: 2) == ["x", "y z", "w"])
        #expect(try row.decode([String].self, at: 3) == ["EUR", "US "])
        #expect(try row.decode([String].self, at: 4) == ["a b"])
    }

    @Test("a NULL element, a second dimension or a column that is no text array is an error naming the column")
    func refusals() throws {
        let row = try #require(try connection.query("""
            SELECT ARRAY['a', NULL]::text[] AS holed, ARRAY[ARRAY['a', 'b'], ARRAY['c', 'd']] AS square,
                   ARRAY[1, 2] AS numbers, '{a,b}'::text AS word
            """).first)
        let holed = #expect(throws: PGError.self) { try row.decode([String].self, "holed") }
        #expect(holed?.message.contains("\"holed\"") == true && holed?.message.contains("NULL element") == true)
        let square = #expect(throws: PGError.self) { try row.decode([String].self, "square") }
        #expect(square?.message.contains("multidimensional") == true)
        #expect(throws: PGError.self) { try row.decode([String].self, "numbers") }
        #expect(throws: PGError.self) { try row.decode([String].self, "word") }
    }
}
