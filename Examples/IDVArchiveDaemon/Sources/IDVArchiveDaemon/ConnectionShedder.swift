import Foundation
import NIOConcurrencyHelpers
import NIOCore

/// Keeps the listener answering when idle connections pile up: when a new connection would take the open
/// connections past `limit`, the connection that has been quiet the longest is closed to make room.
///
/// Without it, a few thousand connections that send nothing (a port scan, a slow-loris client, a leaking
/// proxy) use up the process's descriptors, and `/healthz` and BoldSign's webhooks can no longer connect.
/// Refusing new connections instead (a plain cap) would shut out exactly the calls that matter; the
/// quietest connection is the one least likely to be doing anything.
final class ConnectionShedder: Sendable {
    private struct Entry {
        let channel: any Channel
        var lastActive: NIODeadline
    }

    let limit: Int
    private let entries = NIOLockedValueBox([ObjectIdentifier: Entry]())

    init(limit: Int) {
        self.limit = max(1, limit)
    }

    /// The limit for a process whose soft descriptor limit is `descriptors`: what is left after a reserve
    /// for the database, the client's sockets and the listener, and never more than `configured`.
    static func limit(configured: Int, descriptors: Int) -> Int {
        max(16, min(configured, descriptors - 128))
    }

    /// The process's soft `RLIMIT_NOFILE`.
    static var descriptorLimit: Int {
        var limit = rlimit()
        guard getrlimit(__rlimit_resource_t(RLIMIT_NOFILE.rawValue), &limit) == 0, limit.rlim_cur != rlim_t.max else { return 1 << 20 }
        return Int(clamping: limit.rlim_cur)
    }

    /// A handler for one connection's pipeline.
    func handler() -> Handler { Handler(shedder: self) }

    fileprivate func opened(_ channel: any Channel) {
        let now = NIODeadline.now()
        let victim: (any Channel)? = entries.withLockedValue { entries in
            entries[ObjectIdentifier(channel)] = Entry(channel: channel, lastActive: now)
            guard entries.count > limit else { return nil }
            let quietest = entries.lazy.filter { $0.key != ObjectIdentifier(channel) }.min { $0.value.lastActive < $1.value.lastActive }
            guard let quietest else { return nil }
            entries.removeValue(forKey: quietest.key)
            return quietest.value.channel
        }
        victim?.close(promise: nil)
    }

    fileprivate func active(_ channel: any Channel) {
        let now = NIODeadline.now()
        entries.withLockedValue { $0[ObjectIdentifier(channel)]?.lastActive = now }
    }

    fileprivate func closed(_ channel: any Channel) {
        _ = entries.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(channel)) }
    }

    /// Records a connection's life and activity; passes everything through unchanged.
    final class Handler: ChannelDuplexHandler, RemovableChannelHandler {
        typealias InboundIn = NIOAny
        typealias OutboundIn = NIOAny

        private let shedder: ConnectionShedder

        fileprivate init(shedder: ConnectionShedder) {
            self.shedder = shedder
        }

        func handlerAdded(context: ChannelHandlerContext) {
            if context.channel.isActive { shedder.opened(context.channel) }
        }

        func channelActive(context: ChannelHandlerContext) {
            shedder.opened(context.channel)
            context.fireChannelActive()
        }

        func channelInactive(context: ChannelHandlerContext) {
            shedder.closed(context.channel)
            context.fireChannelInactive()
        }

        func handlerRemoved(context: ChannelHandlerContext) {
            shedder.closed(context.channel)
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            shedder.active(context.channel)
            context.fireChannelRead(data)
        }

        func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
            shedder.active(context.channel)
            context.write(data, promise: promise)
        }
    }
}
