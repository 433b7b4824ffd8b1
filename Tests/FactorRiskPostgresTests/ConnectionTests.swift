import FactorRiskCore
import FactorRiskPostgres
import FactorRiskTestSupport
import Testing

@Suite("libpq client: statements, types, errors, transactions")
struct ConnectionTests {
    let connection: PGConnection

    init() async throws {
        connection = try await TestCluster.shared.freshDatabase("connection").connect()
    }

    @Test("every supported type decodes to the value the server holds")
    func decodesEveryType() throws {
        let row = try #require(try connection.query("""
            SELECT 32767::int2, 2147483647::int4, '-9223372036854775808'::int8, 'Société Générale – 東京 ✓'::text,
                   true, false, DATE '2026-11-20', DATE '2024-02-29',
                   12345678901234567890.123456789::numeric, NULL::int8, NULL::text, 'EUR'::char(3), 'x'::varchar
            """).first)
        #expect(try row.decode(Int.self, at: 0) == 32767)
        #expect(try row.decode(Int32.self, at: 1) == 2_147_483_647)
        #expect(try row.decode(Int64.self, at: 2) == Int64.min)
        #expect(try row.decode(String.self, at: 3) == "Société Générale – 東京 ✓")
        #expect(try row.decode(Bool.self, at: 4) == true)
        #expect(try row.decode(Bool.self, at: 5) == false)
        #expect(try row.decode(CalendarDate.self, at: 6) == CalendarDate(year: 2026, month: 11, day: 20))
        #expect(try row.decode(CalendarDate.self, at: 7) == CalendarDate(year: 2024, month: 2, day: 29))
        // numeric stays exact: no digit lost to floating point.
        #expect(try row.decode(PGNumeric.self, at: 8).text == "12345678901234567890.123456789")
        #expect(try row.decode(Int64?.self, at: 9) == nil)
        #expect(try row.decode(String?.self, at: 10) == nil)
        #expect(try row.decode(String.self, at: 11) == "EUR")
        #expect(try row.decode(String.self, at: 12) == "x")
    }

    @Test("a NULL into a non-optional, or text into an integer, is an error naming the column")
    func decodingErrorsNameTheColumn() throws {
        let row = try #require(try connection.query("SELECT NULL::int8 AS missing, 'abc'::text AS word, 99999999999::int8 AS big").first)
        let null = #expect(throws: PGError.self) { try row.decode(Int64.self, "missing") }
        #expect(null?.message.contains("\"missing\" is NULL") == true)
        let text = #expect(throws: PGError.self) { try row.decode(Int64.self, "word") }
        #expect(text?.message.contains("\"word\"") == true)
        #expect(throws: PGError.self) { try row.decode(Int32.self, "big") }
        #expect(throws: PGError.self) { try row.decode(Int64.self, "nope") }
    }

    @Test("parameters travel apart from the SQL: quotes and SQL in a value stay data")
    func parametersAreNeverInterpolated() throws {
        let hostile = "x'); DROP TABLE currencies; --"
        let row = try #require(try connection.query(
            "SELECT $1::text, $2::int8 + 1, $3::date + 1, $4::bool, $5::text IS NULL, $6::text[]",
            [hostile, Int64(41), CalendarDate(year: 2026, month: 2, day: 28)!, true, nil, ["a,b", "c\"d", "e\\f"]]
        ).first)
        #expect(try row.decode(String.self, at: 0) == hostile)
        #expect(try row.decode(Int.self, at: 1) == 42)
        #expect(try row.decode(CalendarDate.self, at: 2) == CalendarDate(year: 2026, month: 3, day: 1))
        #expect(try row.decode(Bool.self, at: 3) == true)
        #expect(try row.decode(Bool.self, at: 4) == true)
        #expect(try row.decode(String.self, at: 5) == #"{"a,b","c\"d","e\\f"}"#)
        #expect(try connection.query("SELECT count(*) FROM currencies").first?.decode(Int.self, at: 0) == 168)
    }

    @Test("a prepared statement is prepared once and runs with new parameters each time")
    func preparedStatements() throws {
        let statement = PGStatement(name: "exponent_of", sql: "SELECT exponent FROM currencies WHERE currency = $1")
        #expect(try connection.query(statement, ["EUR"]).first?.decode(Int.self, at: 0) == 2)
        #expect(try connection.query(statement, ["JPY"]).first?.decode(Int.self, at: 0) == 0)
        #expect(try connection.query(statement, ["KWD"]).first?.decode(Int.self, at: 0) == 3)
        let count = try connection.query("SELECT count(*) FROM pg_prepared_statements WHERE name = 'exponent_of'")
        #expect(try count.first?.decode(Int.self, at: 0) == 1)
    }

    @Test("a server error carries SQLSTATE, message, detail and hint")
    func serverErrorsCarryDiagnostics() throws {
        let syntax = #expect(throws: PGError.self) { try connection.query("SELEC 1") }
        #expect(syntax?.sqlState == "42601")
        #expect(syntax?.kind == .query)
        let zero = #expect(throws: PGError.self) { try connection.query("SELECT 1 / $1::int", [0]) }
        #expect(zero?.sqlState == "22012")
        #expect(zero?.message == "division by zero")
        let duplicate = #expect(throws: PGError.self) {
            try connection.query("INSERT INTO currencies (currency, exponent) VALUES ('EUR', 2)")
        }
        #expect(duplicate?.sqlState == "23505")
        #expect(duplicate?.detail?.contains("(currency)=(EUR) already exists") == true)
        let hinted = #expect(throws: PGError.self) { try connection.query("SELECT no_such_function(1)") }
        #expect(hinted?.sqlState == "42883")
        #expect(hinted?.hint?.isEmpty == false)
        // The connection is still usable after errors.
        #expect(try connection.query("SELECT 7").first?.decode(Int.self, at: 0) == 7)
    }

    @Test("a transaction commits when its body returns and rolls back when it throws")
    func transactionRollsBackOnThrow() throws {
        struct Abort: Error {}
        try connection.execute("CREATE TABLE ledger (n int)")
        try connection.transaction { try $0.query("INSERT INTO ledger VALUES (1)") }
        #expect(throws: Abort.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES (2)")
                throw Abort()
            }
        }
        // A failed statement inside also rolls back what came before it.
        #expect(throws: PGError.self) {
            try connection.transaction { connection in
                try connection.query("INSERT INTO ledger VALUES (3)")
                try connection.query("INSERT INTO ledger VALUES ('three')")
            }
        }
        #expect(!connection.inTransaction)
        let values = try connection.query("SELECT n FROM ledger ORDER BY n").rows.map { try $0.decode(Int.self, at: 0) }
        #expect(values == [1])
    }
}
