#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore

/// Counts a connection as closed when its TCP channel goes inactive, whatever protocol it spoke.
final class ConnectionObserver: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let state: MockServerState

    init(state: MockServerState) {
        self.state = state
    }

    func channelInactive(context: ChannelHandlerContext) {
        state.connectionClosed(at: Date().timeIntervalSince1970)
        context.fireChannelInactive()
    }
}
