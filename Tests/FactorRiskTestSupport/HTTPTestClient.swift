import FactorRiskCore
import HTTPTypes
import HummingbirdTesting
import NIOCore

/// The HTTP tests' client: HummingbirdTesting's, with an API key and the answers as the tests read them.
///
/// In process it wraps the client that `app.test(.live)` hands over; for a server running as its own
/// process (`factor-risk serve`) it opens one of HummingbirdTesting's `TestClient`s on the port for
/// each request, so a request left in flight never holds up the next one.
public struct HTTPTestClient: Sendable {
    public struct Response: Sendable {
        public var status: Int
        /// Header names in lower case.
        public var headers: [String: String]
        public var body: String

        /// The body parsed as JSON (a failed test when it is not).
        public var json: JSONValue {
            (try? JSONValue.parse(Array(body.utf8))) ?? .string("<not JSON: \(body.prefix(200))>")
        }

        /// The error code of a `{"error": {...}}` body.
        public var errorCode: String? {
            if case .string(let code)? = json["error"]?["code"] { return code }
            return nil
        }

        init(head: HTTPResponse, body: ByteBuffer) {
            status = head.status.code
            headers = [:]
            for field in head.headerFields { headers[field.name.canonicalName] = field.value }
            self.body = String(buffer: body)
        }
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String

        public init(description: String) { self.description = description }
    }

    /// Where requests go: the connection a live test was handed, or a port to connect to for each request.
    private enum Server: Sendable {
        case live(any TestClientProtocol)
        case port(Int)
    }

    private let server: Server
    /// Sent as `Authorization: Bearer` when set.
    public var token: String?

    /// A client over the connection of `app.test(.live)`.
    public init(_ client: any TestClientProtocol, token: String? = nil) {
        self.server = .live(client)
        self.token = token
    }

    /// A client of a server listening on `port` of 127.0.0.1 in another process, through HummingbirdTesting's
    /// `TestClient`, which needs no application of its own.
    public init(port: Int, token: String? = nil) {
        self.server = .port(port)
        self.token = token
    }

    public func with(token: String?) -> HTTPTestClient {
        var client = self
        client.token = token
        return client
    }

    public func get(_ path: String) async throws -> Response { try await send("GET", path) }

    public func send(_ method: String, _ path: String, body: String? = nil, headers: [(String, String)] = []) async throws -> Response {
        var fields = HTTPFields()
        if let token { fields[.authorization] = "Bearer \(token)" }
        for (name, value) in headers {
            guard let name = HTTPField.Name(name) else { throw Failure(description: "bad header name \(name)") }
            fields.append(HTTPField(name: name, value: value))
        }
        if body != nil { fields[.contentType] = "application/json" }
        let method = HTTPRequest.Method(method) ?? .get
        let payload = body.map { ByteBuffer(string: $0) }
        let requestHeaders = fields
        switch server {
        case .live(let client):
            let response = try await client.executeRequest(uri: path, method: method, headers: fields, body: payload)
            return Response(head: response.head, body: response.body)
        case .port(let port):
            return try await TestClient.withClient(host: "127.0.0.1", port: port) { client in
                let request = TestClient.Request(path, method: method, authority: "127.0.0.1:\(port)", headers: requestHeaders, body: payload)
                let response = try await client.execute(request)
                return Response(head: response.head, body: response.body ?? ByteBuffer())
            }
        }
    }
}
