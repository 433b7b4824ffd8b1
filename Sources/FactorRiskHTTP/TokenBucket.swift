/// A budget of `capacity` actions per `period`, spent at once or spread out, refilled evenly: the
/// decisions of a rate limit, with no clock of its own (the caller says what time it is).
///
/// Kept as the one instant at which the bucket will be full again (a generic cell rate
/// algorithm): each action moves it one interval (`period / capacity`) later, and an action is
/// refused while that would put it more than `period` ahead of now. So a key that waited a whole
/// period may spend the whole budget at once, and one that spends steadily gets one action per
/// interval, never more.
public struct TokenBucket: Sendable, Equatable {
    /// Actions allowed in a burst, and per `period` over time.
    public let capacity: Int
    public let period: Duration
    /// When the bucket is full again; at or before now, it is full.
    public private(set) var fullAt: Duration

    /// What `take` decided.
    public enum Decision: Sendable, Equatable {
        case allowed
        /// Refused; the next action is allowed after `retryAfter`.
        case refused(retryAfter: Duration)
    }

    /// A full bucket. `capacity` is at least 1.
    public init(capacity: Int, period: Duration) {
        precondition(capacity >= 1, "a token bucket holds at least one action")
        self.capacity = capacity
        self.period = period
        self.fullAt = .zero
    }

    /// The time one action takes to come back.
    public var interval: Duration { period / capacity }

    /// Spends one action at `now` (time since any fixed origin, the same for every call), or says
    /// how long until one is back.
    public mutating func take(at now: Duration) -> Decision {
        let start = max(fullAt, now)
        let next = start + interval
        if next - now > period { return .refused(retryAfter: next - now - period) }
        fullAt = next
        return .allowed
    }

    /// Whether the bucket is full at `now`, so forgetting it changes nothing.
    public func isFull(at now: Duration) -> Bool { fullAt <= now }
}
