/// The draws the synthetic portfolio needs, written so every platform gets the same values.
///
/// Only integer operations and IEEE-754 `+ - * / sqrt` (exactly rounded everywhere) are used, with
/// `DeterministicMath` for `log` and `exp`; the standard library's `random(in:)` is avoided
/// because its algorithm is not part of its contract and could change between Swift versions.
extension SplitMix64 {
    /// A uniform `Double` in [0, 1), from the top 53 bits.
    mutating func unit() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// A uniform `Double` in (0, 1], safe to take the logarithm of.
    mutating func openUnit() -> Double {
        Double((next() >> 11) + 1) * 0x1p-53
    }

    /// A uniform integer in 0..<bound (Lemire's multiply-high; the bias is below 2^-40 here).
    mutating func below(_ bound: Int) -> Int {
        precondition(bound > 0, "empty range")
        return Int(next().multipliedFullWidth(by: UInt64(bound)).high)
    }

    /// A uniform integer in `range`.
    mutating func int(in range: ClosedRange<Int>) -> Int {
        range.lowerBound + below(range.upperBound - range.lowerBound + 1)
    }

    /// A uniform `Double` in [low, high).
    mutating func uniform(_ low: Double, _ high: Double) -> Double {
        low + (high - low) * unit()
    }

    /// True with probability `probability`.
    mutating func chance(_ probability: Double) -> Bool {
        unit() < probability
    }

    /// A standard normal draw (Marsaglia's polar method: needs only `log` and `sqrt`).
    mutating func normal() -> Double {
        while true {
            let u = 2 * unit() - 1
            let v = 2 * unit() - 1
            let s = u * u + v * v
            if s > 0, s < 1 {
                return u * (-2 * DeterministicMath.log(s) / s).squareRoot()
            }
        }
    }

    /// A lognormal draw with the given arithmetic `mean` and log-scale spread `sigma`.
    mutating func logNormal(mean: Double, sigma: Double) -> Double {
        DeterministicMath.exp(DeterministicMath.log(mean) - sigma * sigma / 2 + sigma * normal())
    }

    /// Shuffles `array` in place (Fisher–Yates), reproducibly.
    mutating func shuffle<Element>(_ array: inout [Element]) {
        guard array.count > 1 else { return }
        for index in stride(from: array.count - 1, to: 0, by: -1) {
            array.swapAt(index, below(index + 1))
        }
    }

    /// An index drawn with the probabilities of `weights` (non-negative, not all zero).
    mutating func pick(_ weights: [Double]) -> Int {
        var total = 0.0
        for weight in weights { total += weight }
        var target = unit() * total
        for (index, weight) in weights.enumerated() {
            if target < weight { return index }
            target -= weight
        }
        return weights.count - 1
    }
}
