@testable import FactorRiskPostgres
import Testing

/// `StagedKeys` decides whether the import runs its duplicate check: it must never say "no key
/// repeats" when one does.
@Suite("staged keys")
struct StagedKeysTests {
    /// Feeds rows of key values (each row a list of values) and says whether a key may repeat.
    private func mayRepeat(_ rows: [[String]]) -> Bool {
        var keys = StagedKeys()
        for row in rows {
            for value in row { keys.add(ArraySlice(value.utf8)) }
            keys.endRow()
        }
        return keys.mayRepeat
    }

    @Test("distinct keys, in any order, repeat nothing")
    func distinctKeys() {
        #expect(!mayRepeat([["D2"], ["D1"], ["D3"], ["D10"]]))
        #expect(!mayRepeat([]))
    }

    @Test("a key on a later row, even far from the first, may repeat")
    func repeatedKey() {
        #expect(mayRepeat([["D1"], ["D2"], ["D1"]]))
        #expect(mayRepeat((0..<10_000).map { ["I\($0)"] } + [["I17"]]))
    }

    @Test("a key of two columns is the pair: values moved across the separator are another key")
    func twoColumnKeys() {
        #expect(!mayRepeat([["ab", "c"], ["a", "bc"], ["abc", ""]]))
        #expect(!mayRepeat([["A1", "paid"], ["A1", "deposited"], ["A2", "paid"]]))
        #expect(mayRepeat([["A1", "paid"], ["A2", "paid"], ["A1", "paid"]]))
    }
}
