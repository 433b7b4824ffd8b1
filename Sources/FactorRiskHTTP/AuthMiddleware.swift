import FactorRiskPostgres
import Hummingbird
import Synchronization

/// Authenticates `/v1` requests by their `Authorization: Bearer` API key.
///
/// A key is looked up as its own tenant (row-level security applies to the lookup too). Valid
/// keys are remembered for `cacheSeconds` so a busy client does not pay a lookup per request; a
/// revoked key stops working within that time (0: every request is checked).
struct AuthMiddleware: RouterMiddleware {
    typealias Context = APIContext

    let keys: any KeyStore
    let cache: KeyCache

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            throw APIError(.unauthorized, "missing_credentials", "send an API key as Authorization: Bearer <key>")
        }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else {
            throw APIError(.unauthorized, "invalid_credentials", "the Authorization header must read Bearer <key>")
        }
        let token = String(parts[1])
        let identity: APIIdentity
        if let cached = cache.identity(for: token) {
            identity = cached
        } else {
            guard APIKeys.parse(token) != nil else {
                throw APIError(.unauthorized, "invalid_credentials", "the API key is not valid")
            }
            guard let found = try await keys.authenticate(token) else {
                throw APIError(.unauthorized, "invalid_credentials", "the API key is not valid or was revoked")
            }
            cache.remember(found, for: token)
            identity = found
        }
        var context = context
        context.identity = identity
        return try await next(request, context)
    }
}

/// Valid keys seen recently, by token.
final class KeyCache: Sendable {
    private let entries = Mutex<[String: (APIIdentity, ContinuousClock.Instant)]>([:])
    let lifetime: Duration

    init(seconds: Int) { lifetime = .seconds(seconds) }

    func identity(for token: String) -> APIIdentity? {
        guard lifetime > .zero else { return nil }
        let now = ContinuousClock.now
        return entries.withLock { entries in
            guard let (identity, expiry) = entries[token] else { return nil }
            if expiry < now {
                entries[token] = nil
                return nil
            }
            return identity
        }
    }

    func remember(_ identity: APIIdentity, for token: String) {
        guard lifetime > .zero else { return }
        let expiry = ContinuousClock.now + lifetime
        entries.withLock { entries in
            if entries.count > 10_000 { entries.removeAll() }
            entries[token] = (identity, expiry)
        }
    }
}
