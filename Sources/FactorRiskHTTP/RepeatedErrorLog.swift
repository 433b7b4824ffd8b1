/// Decides which of a stream of repeated errors are written to the log.
///
/// A database outage turns every request into the same 503, and logging each one buried the log
/// under tens of thousands of identical lines. The first error of a kind is logged at once; the
/// ones that follow within `interval` are only counted, and the first one after it is logged with
/// that count, so a kind of error writes at most one line per interval and none is lost from the
/// count. No I/O and no clock of its own: the caller says when each error happened, so it is tested
/// with made-up instants.
struct RepeatedErrorLog<Instant: InstantProtocol>: Sendable where Instant.Duration == Duration {
    /// What to do with one error.
    enum Verdict: Equatable {
        /// Log it, saying how many of its kind were left out since the previous line (0: none).
        case log(suppressed: Int)
        /// Leave it out; it is counted in the next line of its kind.
        case suppress
    }

    /// The most kinds remembered; past it the oldest are forgotten (their next error logs at once).
    static var maxKinds: Int { 1000 }

    let interval: Duration
    private var kinds: [String: (lastLogged: Instant, suppressed: Int)] = [:]

    init(interval: Duration) {
        self.interval = interval
    }

    /// Records one error of `kind` that happened `at`, and says whether to log it.
    mutating func record(_ kind: String, at now: Instant) -> Verdict {
        if let seen = kinds[kind], now < seen.lastLogged.advanced(by: interval) {
            kinds[kind]?.suppressed += 1
            return .suppress
        }
        let suppressed = kinds[kind]?.suppressed ?? 0
        if kinds[kind] == nil, kinds.count >= Self.maxKinds, let oldest = kinds.min(by: { $0.value.lastLogged < $1.value.lastLogged })?.key {
            kinds[oldest] = nil
        }
        kinds[kind] = (now, 0)
        return .log(suppressed: suppressed)
    }
}
