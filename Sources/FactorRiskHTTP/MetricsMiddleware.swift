import Hummingbird

/// Records every request's route (its pattern, not the path: no unbounded label values), status and time.
struct MetricsMiddleware: RouterMiddleware {
    typealias Context = APIContext

    let metrics: RequestMetrics

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        metrics.record(route: context.endpointPath ?? "unmatched", method: request.method.rawValue, status: response.status.code,
                       duration: ContinuousClock.now - start)
        return response
    }
}
