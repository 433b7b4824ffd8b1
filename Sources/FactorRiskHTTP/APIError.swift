import FactorRiskPostgres
import FactorRiskCore
import Hummingbird

/// An expected failure of a request, answered as `{"error": {"code", "message", "details"}}`.
///
/// `code` is stable (tools branch on it); `message` is for people; `details` name each bad field
/// by its JSON path or parameter name.
public struct APIError: Error, Sendable, HTTPResponseError {
    public struct Detail: Sendable, Equatable {
        public var path: String
        public var message: String

        public init(_ path: String, _ message: String) {
            self.path = path
            self.message = message
        }
    }

    public var status: HTTPResponse.Status
    public var code: String
    public var message: String
    public var details: [Detail]
    /// Sent with the answer, such as `Retry-After` with a 429.
    public var headers: HTTPFields

    public init(_ status: HTTPResponse.Status, _ code: String, _ message: String, details: [Detail] = [], headers: HTTPFields = [:]) {
        self.status = status
        self.code = code
        self.message = message
        self.details = details
        self.headers = headers
    }

    static func invalidParameter(_ name: String, _ message: String) -> APIError {
        APIError(.badRequest, "invalid_parameter", "\(name): \(message)", details: [Detail(name, message)])
    }

    static func notFound(_ what: String) -> APIError { APIError(.notFound, "not_found", "\(what) does not exist") }

    /// No stored snapshot for the date asked (or none at all when no date was asked).
    static func noSnapshot(_ missing: SnapshotMissing) -> APIError {
        guard let date = missing.date else {
            return APIError(.notFound, "no_snapshot", "no snapshot has been computed yet: run factor-risk recalc")
        }
        return APIError(.notFound, "no_snapshot", "no snapshot as of \(date): run factor-risk recalc --as-of \(date)")
    }

    /// The key's tenant was removed after the key was checked.
    static let tenantGone = APIError(.unauthorized, "invalid_credentials", "the key's tenant no longer exists")

    var json: JSONText {
        .object([
            ("error", .object([
                ("code", .string(code)), ("message", .string(message)),
                ("details", .array(details.map { .object([("path", .string($0.path)), ("message", .string($0.message))]) })),
            ])),
        ])
    }

    public func response(from request: Request, context: some RequestContext) throws -> Response { response }

    /// The JSON error with its status and headers.
    var response: Response {
        var response = Response.json(json, status: status)
        response.headers.append(contentsOf: headers)
        return response
    }
}

extension Response {
    /// A JSON response from our ordered writer (fields in the order FORMATS.md lists them).
    static func json(_ value: JSONText, status: HTTPResponse.Status = .ok) -> Response {
        var bytes = value.renderedUTF8(indent: 0)
        bytes.append(0x0A)
        let buffer = ByteBuffer(bytes: bytes)
        return Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: buffer))
    }
}
