import FactorRiskCore
import Testing

@Suite("the JSON reader")
struct JSONValueTests {
    func failure(_ text: String) -> JSONValue.ParseError? {
        #expect(throws: JSONValue.ParseError.self) { try JSONValue.parse(Array(text.utf8)) }
    }

    @Test("a member written twice is an error at its path, counted from the root through arrays and objects")
    func duplicateMemberPath() throws {
        let error = try #require(failure(#"{"a": [1, {"b": 1, "b": 2}]}"#))
        #expect(error.path == "$.a[1].b")
        #expect(error.description == #"member "b" appears twice at byte 19"#)
        #expect(failure(#"{"k": 1, "k": 1}"#)?.path == "$.k")
    }

    @Test("a syntax error names the value being read; at the top it is the root")
    func syntaxErrorPath() {
        #expect(failure(#"{"a": {"b": [true, fals]}}"#)?.path == "$.a.b[1]")
        #expect(failure(#"{"a" 1}"#)?.path == "$.a")
        #expect(failure("[1, 2] 3")?.path == "$")
        #expect(failure("")?.path == "$")
    }
}
