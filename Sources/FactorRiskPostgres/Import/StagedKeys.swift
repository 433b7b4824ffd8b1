/// The keys of a file's rows as they are staged, remembered by a 64-bit hash, to tell whether any
/// key may be on two rows.
///
/// The set-based duplicate check (`StagingTable.duplicates`) groups every staged row by its key: 0.6
/// to 0.9 s for a million documents or events. Keys are staged in their one spelling (references
/// and codes as written, dates in the strict YYYY-MM-DD form), so two rows have the same key only
/// if the bytes of their key values are the same, and then their hashes are too: when no hash
/// repeats, no key does, and the check is not run. A repeated hash (a duplicate, or, about once in
/// 10^7 imports of a million rows, two keys that share a hash) runs the check, which finds the
/// duplicates and their lines, or none.
struct StagedKeys {
    private var seen = Set<UInt64>()
    private var hash: UInt64 = Self.offsetBasis
    /// Whether a key's hash was seen on an earlier row.
    private(set) var mayRepeat = false

    private static let offsetBasis: UInt64 = 0xcbf2_9ce4_8422_2325
    private static let prime: UInt64 = 0x0000_0100_0000_01b3

    /// Adds the bytes of one key value of the current row (FNV-1a), then a separator, so that
    /// ("ab", "c") and ("a", "bc") differ.
    mutating func add(_ bytes: ArraySlice<UInt8>) {
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* Self.prime }
        hash = (hash ^ 0xff) &* Self.prime
    }

    /// Ends the current row's key.
    mutating func endRow() {
        if !mayRepeat && !seen.insert(hash).inserted {
            mayRepeat = true
            // The check will run: the hashes are no longer needed.
            seen = []
        }
        hash = Self.offsetBasis
    }
}
