import FactorRiskPostgres
import Hummingbird

/// What every handler of the API needs besides the request: who is asking.
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// Set by `AuthMiddleware` on every `/v1` route.
    public var identity: APIIdentity?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.identity = nil
    }

    /// Bodies above this are refused with 413 before they are read whole.
    public var maxUploadSize: Int { APIServer.maxBodyBytes }

    /// The caller, with at least `role`; throws 403 otherwise.
    func caller(atLeast role: APIRole) throws(APIError) -> APIIdentity {
        guard let identity else { throw APIError(.unauthorized, "missing_credentials", "an API key is required") }
        guard identity.role >= role else {
            throw APIError(.forbidden, "insufficient_role", "this needs a key with the \(role.rawValue) role; this key has \(identity.role.rawValue)")
        }
        return identity
    }
}
