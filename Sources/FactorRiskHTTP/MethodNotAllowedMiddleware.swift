import Hummingbird

/// Answers 405 with an `Allow` header when a path exists but not for the request's method.
///
/// Hummingbird's router answers 404 for both an unknown path and a known path asked with a method it
/// does not serve (`TRACE /v1/flags`), while HTTP and our OpenAPI document say the latter is a 405 that
/// lists the methods the path takes. The router keeps no such list for a failed match, so this
/// middleware is added after every route is registered, with the table of routes then known: that
/// way it runs only on the router's not-found path and costs nothing to requests that match.
struct MethodNotAllowedMiddleware: RouterMiddleware {
    typealias Context = APIContext

    /// Each registered path, split into its elements, with the methods it serves.
    let routes: [(path: RouterPath, methods: Set<HTTPRequest.Method>)]

    init(routes: [Router<APIContext>.RouteDescription]) {
        var table: [(path: RouterPath, methods: Set<HTTPRequest.Method>)] = []
        for route in routes {
            if let index = table.firstIndex(where: { $0.path == route.path }) {
                table[index].methods.insert(route.method)
            } else {
                table.append((route.path, [route.method]))
            }
        }
        self.routes = table
    }

    /// The methods served at `path`, empty when no route matches it.
    func allowedMethods(_ path: String) -> [HTTPRequest.Method] {
        let segments = path.split(separator: "/", omittingEmptySubsequences: true)
        let methods = routes.filter { route in
            route.path.components.count == segments.count && zip(route.path.components, segments).allSatisfy { $0 ~= $1 }
        }.flatMap(\.methods)
        return Set(methods).sorted { $0.rawValue < $1.rawValue }
    }

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        let allowed = allowedMethods(request.uri.path)
        guard !allowed.isEmpty, !allowed.contains(request.method) else { return try await next(request, context) }
        let list = allowed.map(\.rawValue).joined(separator: ", ")
        let error = APIError(.methodNotAllowed, "method_not_allowed", "\(request.uri.path) takes \(list), not \(request.method.rawValue)")
        var response = Response.json(error.json, status: error.status)
        response.headers[.allow] = list
        return response
    }
}
