import HummingbirdCore
import Logging
import NIOCore

/// Hummingbird's HTTP/1 child channel with `ConnectionGuard` in front of it.
///
/// `HTTP1Channel` builds its pipeline itself and only lets handlers in after HTTP decoding, where
/// neither a refused connection nor a request's first byte can be seen; so this wraps it, adds the
/// guard first, then lets `HTTP1Channel` set up the rest (with `RequestProgressHandler` and its idle
/// timeout) and handle the connection as it always does.
struct GuardedHTTP1Channel: ServerChildChannel {
    typealias Value = HTTP1Channel.Value

    let http1: HTTP1Channel
    let limiter: ConnectionLimiter
    let requestTimeout: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let guarded = channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(ConnectionGuard(limiter: limiter, requestTimeout: requestTimeout))
        }
        return guarded.flatMap { http1.setup(channel: channel, logger: logger) }
    }

    func handle(value: Value, logger: Logger) async {
        await http1.handle(value: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the idle timeout of `configuration`, and the connection cap and request timeout of `ConnectionGuard`.
    static func guardedHTTP1(_ configuration: APIServer.Configuration) -> HTTPServerBuilder {
        let limiter = ConnectionLimiter(limit: configuration.maxConnections)
        let requestTimeout = TimeAmount(configuration.requestTimeout)
        let idleTimeout = TimeAmount(configuration.idleTimeout)
        return HTTPServerBuilder { responder in
            let http1 = HTTP1Channel(responder: responder, configuration: .init(
                additionalChannelHandlers: [RequestProgressHandler()], idleTimeout: idleTimeout))
            return GuardedHTTP1Channel(http1: http1, limiter: limiter, requestTimeout: requestTimeout)
        }
    }
}
