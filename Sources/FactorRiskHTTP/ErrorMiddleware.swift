import FactorRiskPostgres
import Hummingbird
import Logging

/// Turns every failure into the API's JSON error, with the status it deserves.
///
/// Our own errors carry theirs; Hummingbird's (no route, body too large) keep their status; a
/// database that cannot be reached or a busy pool is a 503, so a client knows to retry; anything
/// else is a logged 500 that says no more than that. Repeated failures of one kind are logged once
/// an interval with their count (`ErrorLogThrottle`), so an outage does not flood the log.
struct ErrorMiddleware: RouterMiddleware {
    typealias Context = APIContext

    let throttle: ErrorLogThrottle

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            return error.response
        } catch let missing as SnapshotMissing {
            let error = APIError.noSnapshot(missing)
            return Response.json(error.json, status: error.status)
        } catch let error as PGError where error.isOutOfRange {
            let answer = APIError(
                .unprocessableContent, "figures_out_of_range",
                "the tenant's figures are beyond what the engine computes (a sum or a converted amount above 9,223,372,036,854,775,807 minor units): correct its largest amounts or exchange rates")
            return Response.json(answer.json, status: answer.status)
        } catch is TenantGone {
            return Response.json(APIError.tenantGone.json, status: APIError.tenantGone.status)
        } catch let error as HTTPError {
            let (code, message) = Self.describe(error)
            return Response.json(APIError(error.status, code, message).json, status: error.status)
        } catch let error as any HTTPResponseError {
            // Hummingbird's other errors, such as a body over the size limit.
            let (code, message) = Self.describe(HTTPError(error.status))
            return Response.json(APIError(error.status, code, message).json, status: error.status)
        } catch let error as PGError where [.connection, .pool, .connectionLost].contains(error.kind) || error.sqlState?.hasPrefix("57") == true {
            throttle.error("database_unavailable", "database unavailable: \(error)", logger: context.logger)
            return Response.json(
                APIError(.serviceUnavailable, "database_unavailable", "the database is unavailable; retry later").json,
                status: .serviceUnavailable)
        } catch {
            throttle.error("internal_error \(type(of: error)) \(context.endpointPath ?? "unmatched")",
                           "internal error on \(request.method) \(request.uri.path): \(String(reflecting: error))", logger: context.logger)
            return Response.json(APIError(.internalServerError, "internal_error", "internal error").json, status: .internalServerError)
        }
    }

    static func describe(_ error: HTTPError) -> (String, String) {
        switch error.status {
        case .notFound: ("not_found", "no such route")
        case .contentTooLarge: ("payload_too_large", "the body is larger than \(APIServer.maxBodyBytes) bytes")
        case .methodNotAllowed: ("method_not_allowed", "this route does not take that method")
        case .unauthorized: ("invalid_credentials", error.body ?? "invalid credentials")
        default: (error.status.code < 500 ? "bad_request" : "internal_error", error.body ?? error.status.reasonPhrase)
        }
    }
}
