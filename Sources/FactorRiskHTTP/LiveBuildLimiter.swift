import Synchronization

/// How many live builds each API key may start: a `TokenBucket` per key.
///
/// A live answer for a date with no live state builds the tenant's whole state (seconds and a
/// table's worth of rows on a large tenant); an answer on a state that exists costs a few rows.
/// Only the first is limited, per key, so that one key cycling through dates cannot keep the
/// database rebuilding, while reads on the dates in use stay unlimited. Requests that wait for a
/// build another request started spend nothing (`LiveBuilds`).
public final class LiveBuildLimiter: Sendable {
    struct Caller: Hashable {
        let tenantID: Int64
        let keyID: Int64
    }

    /// Builds a key may start per minute (and at once, after a quiet minute); 0: no limit.
    public let perMinute: Int
    private let now: @Sendable () -> Duration
    private let buckets = Mutex<[Caller: TokenBucket]>([:])

    /// `now` is the time since any fixed origin (tests hand in a clock they move by hand).
    public init(perMinute: Int, now: @escaping @Sendable () -> Duration = LiveBuildLimiter.monotonicNow) {
        self.perMinute = perMinute
        self.now = now
    }

    /// Time since the first call, on the system's monotonic clock.
    public static let monotonicNow: @Sendable () -> Duration = {
        let origin = ContinuousClock.now
        return { ContinuousClock.now - origin }
    }()

    /// Spends one build of the key `keyID` of `tenantID`, or throws 429 with `Retry-After` (whole
    /// seconds, rounded up) when its budget is spent.
    public func admit(tenantID: Int64, keyID: Int64) throws(APIError) {
        guard perMinute > 0 else { return }
        let time = now()
        let caller = Caller(tenantID: tenantID, keyID: keyID)
        let decision = buckets.withLock { buckets in
            if buckets.count > 10_000 { buckets = buckets.filter { !$0.value.isFull(at: time) } }
            var bucket = buckets[caller] ?? TokenBucket(capacity: perMinute, period: .seconds(60))
            let decision = bucket.take(at: time)
            buckets[caller] = bucket
            return decision
        }
        guard case .refused(let wait) = decision else { return }
        let (seconds, attoseconds) = wait.components
        let retryAfter = max(1, seconds + (attoseconds > 0 ? 1 : 0))
        throw APIError(
            .tooManyRequests, "rate_limited",
            "this key may start at most \(perMinute) live builds a minute (an answer as of a date no recent request asked for); retry in \(retryAfter) s",
            headers: [.retryAfter: String(retryAfter)])
    }
}
