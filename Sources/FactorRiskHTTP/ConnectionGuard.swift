import NIOCore

/// The first handler of every connection, on raw bytes: the connection cap and the request timeout.
///
/// Hummingbird's idle timeout only counts time between decoded HTTP parts, so a client trickling a
/// header or a body a byte at a time could hold a connection for as long as it likes. Here a request's
/// clock starts at its first byte and stops when `RequestProgressHandler`, which sees the decoded parts
/// further down the pipeline, reports its end (an outbound user event, which travels back to this
/// handler); if the request is not whole by then, the connection is closed.
final class ConnectionGuard: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = IOData
    typealias OutboundOut = IOData

    /// Sent by `RequestProgressHandler` when a request has been read to its end.
    struct RequestRead: Sendable {}

    private let limiter: ConnectionLimiter
    private let requestTimeout: TimeAmount
    private var holdsPlace = false
    /// Set while a request has started arriving and has not been read whole.
    private var deadline: Scheduled<Void>?

    init(limiter: ConnectionLimiter, requestTimeout: TimeAmount) {
        self.limiter = limiter
        self.requestTimeout = requestTimeout
    }

    func channelActive(context: ChannelHandlerContext) {
        guard limiter.acquire() else {
            // Answered, not dropped: a client sees why, and a load balancer can tell it from a crash.
            let body = #"{"error":{"code":"too_many_connections","message":"the server holds its maximum of open connections; retry later","details":[]}}"#
            let head = "HTTP/1.1 503 Service Unavailable\r\ncontent-type: application/json\r\nretry-after: 1\r\nconnection: close\r\ncontent-length: \(body.utf8.count + 1)\r\n\r\n"
            context.writeAndFlush(wrapOutboundOut(.byteBuffer(ByteBuffer(string: head + body + "\n")))).assumeIsolated().whenComplete { _ in
                context.close(promise: nil)
            }
            return
        }
        holdsPlace = true
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        deadline?.cancel()
        deadline = nil
        if holdsPlace {
            holdsPlace = false
            limiter.release()
        }
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        guard holdsPlace else { return }
        if deadline == nil {
            deadline = context.eventLoop.assumeIsolated().scheduleTask(in: requestTimeout) { [weak self] in
                self?.deadline = nil
                context.close(promise: nil)
            }
        }
        context.fireChannelRead(data)
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard event is RequestRead else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        deadline?.cancel()
        deadline = nil
        promise?.succeed()
    }
}
