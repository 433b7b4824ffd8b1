import Metrics
import Prometheus

/// Request counts and latency histograms by route and status, recorded through swift-metrics into
/// a Prometheus registry that belongs to one server.
///
/// The factory is passed to every metric rather than bootstrapped into the global `MetricsSystem`:
/// that can be done once per process, and the tests run several servers in one process, each of
/// which must count only its own requests.
final class RequestMetrics: Sendable {
    static let requestsName = "factor_risk_http_requests_total"
    static let durationName = "factor_risk_http_request_duration_seconds"

    /// Upper bounds of the latency buckets, in seconds (they print as `le="0.0005"` … `le="10.0"`).
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    /// Where the series live; `/metrics` prints it.
    let registry: PrometheusCollectorRegistry
    private let factory: PrometheusMetricsFactory

    init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
        var factory = PrometheusMetricsFactory(registry: registry)
        // Whole nanoseconds: the bounds print as the same decimals as the seconds above.
        factory.durationHistogramBuckets[Self.durationName] = Self.buckets.map { .nanoseconds(Int64(($0 * 1e9).rounded())) }
        self.factory = factory
    }

    /// Counts one answered request and files its time under its route and method.
    func record(route: String, method: String, status: Int, duration: Duration) {
        Counter(label: Self.requestsName, dimensions: [("route", route), ("method", method), ("status", String(status))], factory: factory)
            .increment()
        Metrics.Timer(label: Self.durationName, dimensions: [("route", route), ("method", method)], factory: factory)
            .record(duration: duration)
    }
}
