/// A small, fast, seedable pseudo-random generator: Steele, Lea and Flood's SplitMix64.
///
/// The synthetic portfolio must be byte-identical for a given seed on every run, machine and Swift
/// version, so it cannot use `SystemRandomNumberGenerator` (unseeded) or anything built on
/// `Hasher` (seeded per process). SplitMix64 is a fixed, published sequence of 64-bit integer
/// operations: the same seed gives the same numbers everywhere, and it passes BigCrush, which is
/// far more quality than test data needs.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    /// The whole state of the generator; the next output depends only on it.
    public private(set) var state: UInt64

    /// Creates a generator whose sequence is fixed by `seed` (every seed, 0 included, is fine).
    public init(seed: UInt64) {
        state = seed
    }

    /// The next 64 random bits.
    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A generator for one independent stream of `seed`, e.g. one per file or per phase.
    ///
    /// Separate streams keep the phases of a generator independent: drawing one more number while
    /// building the clients does not shift every document that follows.
    public static func stream(_ stream: UInt64, of seed: UInt64) -> SplitMix64 {
        var mixer = SplitMix64(seed: seed ^ (stream &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }
}
