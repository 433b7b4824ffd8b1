import FactorRiskHTTP
import FactorRiskTestSupport
import Testing

/// The budget of live builds per key, on a clock moved by hand.
@Suite("live builds per key: the token bucket")
struct LiveBuildLimiterTests {
    @Test("6 a minute: six at once, the seventh waits 10 s (one interval); then one every 10 s, never more")
    func sixAMinute() {
        var bucket = TokenBucket(capacity: 6, period: .seconds(60))
        for _ in 0..<6 { #expect(bucket.take(at: .zero) == .allowed) }
        #expect(bucket.take(at: .zero) == .refused(retryAfter: .seconds(10)))
        #expect(bucket.take(at: .seconds(4)) == .refused(retryAfter: .seconds(6)))
        #expect(bucket.take(at: .seconds(10)) == .allowed)
        #expect(bucket.take(at: .seconds(10)) == .refused(retryAfter: .seconds(10)))
        #expect(bucket.take(at: .seconds(20)) == .allowed)
        // A quiet minute fills it again: six at once.
        #expect(!bucket.isFull(at: .seconds(79)))
        #expect(bucket.isFull(at: .seconds(80)))
        for _ in 0..<6 { #expect(bucket.take(at: .seconds(80)) == .allowed) }
        #expect(bucket.take(at: .seconds(80)) == .refused(retryAfter: .seconds(10)))
    }

    @Test("a refused action spends nothing: retrying early does not push the next one later")
    func refusalsAreFree() {
        var bucket = TokenBucket(capacity: 1, period: .seconds(60))
        #expect(bucket.take(at: .zero) == .allowed)
        for second in 1..<60 { #expect(bucket.take(at: .seconds(second)) == .refused(retryAfter: .seconds(60 - second))) }
        #expect(bucket.take(at: .seconds(60)) == .allowed)
    }

    @Test("each key has its own budget; a refusal is 429 rate_limited with Retry-After in whole seconds, rounded up")
    func perKey() throws {
        let clock = Locked<Duration>(.zero)
        let limiter = LiveBuildLimiter(perMinute: 2, now: { clock.value })
        try limiter.admit(tenantID: 1, keyID: 1)
        try limiter.admit(tenantID: 1, keyID: 1)
        clock.withLock { $0 = .milliseconds(500) }
        let refused = #expect(throws: APIError.self) { try limiter.admit(tenantID: 1, keyID: 1) }
        #expect(refused?.status == .tooManyRequests)
        #expect(refused?.code == "rate_limited")
        // The next build is due at 30 s: 29.5 s from now, said as 30.
        #expect(refused?.headers[.retryAfter] == "30")
        #expect(refused?.message.contains("at most 2 live builds a minute") == true)
        try limiter.admit(tenantID: 1, keyID: 2)
        try limiter.admit(tenantID: 2, keyID: 1)
        clock.withLock { $0 = .seconds(30) }
        try limiter.admit(tenantID: 1, keyID: 1)
    }

    @Test("0 builds a minute is no limit")
    func unlimited() throws {
        let limiter = LiveBuildLimiter(perMinute: 0, now: { .zero })
        for _ in 0..<1000 { try limiter.admit(tenantID: 1, keyID: 1) }
    }
}
