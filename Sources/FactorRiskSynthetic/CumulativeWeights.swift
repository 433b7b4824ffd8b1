/// Weighted sampling by binary search over running totals.
///
/// Picking a debtor by Zipf popularity among 660,000 (or a client's debtor among 200) happens
/// for every one of ten million documents: a linear scan would dominate the run, a search over
/// precomputed running totals costs twenty comparisons.
enum CumulativeWeights {
    /// Running totals of `weights` (each entry the sum of the weights up to and including it).
    static func running(_ weights: [Double]) -> [Double] {
        var totals: [Double] = []
        totals.reserveCapacity(weights.count)
        var total = 0.0
        for weight in weights {
            total += weight
            totals.append(total)
        }
        return totals
    }

    /// The index in `range` of `totals` whose weight covers `fraction` (in [0, 1)) of the weight
    /// of the range: the first index whose running total exceeds the target.
    static func index(in totals: [Double], range: Range<Int>, fraction: Double) -> Int {
        precondition(!range.isEmpty, "no weights to pick from")
        let base = range.lowerBound > 0 ? totals[range.lowerBound - 1] : 0
        let target = base + fraction * (totals[range.upperBound - 1] - base)
        var low = range.lowerBound
        var high = range.upperBound - 1
        while low < high {
            let middle = (low + high) / 2
            if totals[middle] > target {
                high = middle
            } else {
                low = middle + 1
            }
        }
        return low
    }
}
