import Hummingbird
import Synchronization

/// Request counts and latency histograms by route and status, in Prometheus' text format.
final class RequestMetrics: Sendable {
    /// Upper bounds of the latency buckets, in seconds.
    static let buckets: [Double] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10]

    private struct Series: Hashable {
        let route: String
        let method: String
    }

    private struct Histogram {
        var counts = [UInt64](repeating: 0, count: RequestMetrics.buckets.count)
        var sum: Double = 0
        var count: UInt64 = 0
    }

    private struct State {
        var requests: [Series: [Int: UInt64]] = [:]
        var latency: [Series: Histogram] = [:]
    }

    private let state = Mutex(State())

    func record(route: String, method: String, status: Int, seconds: Double) {
        let series = Series(route: route, method: method)
        state.withLock { state in
            state.requests[series, default: [:]][status, default: 0] += 1
            var histogram = state.latency[series] ?? Histogram()
            if let bucket = Self.buckets.firstIndex(where: { seconds <= $0 }) { histogram.counts[bucket] += 1 }
            histogram.sum += seconds
            histogram.count += 1
            state.latency[series] = histogram
        }
    }

    /// The request series, in the exposition format.
    func exposition() -> String {
        let snapshot = state.withLock { $0 }
        var text = "# HELP factor_risk_http_requests_total HTTP requests answered, by route, method and status.\n"
        text += "# TYPE factor_risk_http_requests_total counter\n"
        for series in snapshot.requests.keys.sorted(by: { ($0.route, $0.method) < ($1.route, $1.method) }) {
            for (status, count) in snapshot.requests[series]!.sorted(by: { $0.key < $1.key }) {
                text += "factor_risk_http_requests_total{route=\"\(series.route)\",method=\"\(series.method)\",status=\"\(status)\"} \(count)\n"
            }
        }
        text += "# HELP factor_risk_http_request_duration_seconds Time to answer a request, by route and method.\n"
        text += "# TYPE factor_risk_http_request_duration_seconds histogram\n"
        for series in snapshot.latency.keys.sorted(by: { ($0.route, $0.method) < ($1.route, $1.method) }) {
            let histogram = snapshot.latency[series]!
            let labels = "route=\"\(series.route)\",method=\"\(series.method)\""
            var cumulative: UInt64 = 0
            for (index, bound) in Self.buckets.enumerated() {
                cumulative += histogram.counts[index]
                text += "factor_risk_http_request_duration_seconds_bucket{\(labels),le=\"\(bound)\"} \(cumulative)\n"
            }
            text += "factor_risk_http_request_duration_seconds_bucket{\(labels),le=\"+Inf\"} \(histogram.count)\n"
            text += "factor_risk_http_request_duration_seconds_sum{\(labels)} \(histogram.sum)\n"
            text += "factor_risk_http_request_duration_seconds_count{\(labels)} \(histogram.count)\n"
        }
        return text
    }
}

/// Records every request's route (its pattern, not the path: no unbounded label values), status and time.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = APIContext

    let metrics: RequestMetrics

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        metrics.record(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code, seconds: seconds)
        return response
    }
}
