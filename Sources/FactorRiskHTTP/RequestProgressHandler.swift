import NIOCore
import NIOHTTPTypes

/// Tells `ConnectionGuard` when a request has been read whole, so that its request timeout stops.
///
/// It sits after HTTP decoding (one of Hummingbird's additional channel handlers), the only place
/// that knows where a request ends; `ConnectionGuard` sits before it, the only place that sees the
/// first byte of a request, so the two talk through an outbound user event.
final class RequestProgressHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .end = unwrapInboundIn(data) {
            context.triggerUserOutboundEvent(ConnectionGuard.RequestRead(), promise: nil)
        }
        context.fireChannelRead(data)
    }
}
