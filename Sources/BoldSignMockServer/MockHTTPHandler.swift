#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOCore
import NIOHTTP1
import NIOHTTP2

/// Reads one HTTP request at a time, asks the router what to answer, and writes it —
/// streaming image bodies chunk by chunk as the socket drains, so a body of any size costs
/// the server a few chunks of memory.
final class MockHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// Requests bigger than this are answered with 413 (the API's bodies are a few hundred bytes).
    static let maxRequestBody = 1 << 20
    static let chunkSize = 256 * 1024

    private let router: MockRouter
    private let state: MockServerState
    /// Whether this handler serves one HTTP/2 stream (its channel is the stream's) rather than an HTTP/1.1 connection.
    private let overHTTP2: Bool
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []
    private var bodyTooLarge = false
    private var stream: BodyStream?
    private var pumping = false
    /// Bumped for every response so that scheduled work for an earlier one does nothing.
    private var generation = 0

    /// Where an image body is in its journey to the socket.
    private struct BodyStream {
        var generator: ImageBodyGenerator
        var offset: Int64 = 0
        var stallAt: Int64?
        var stallSeconds: Double
        var stallUntilRequests: Int?
        var closeAt: Int64?
        var closeConnectionAt: Int64?
        var goAwayAt: Int64?
        var paused = false
        var keepAlive: Bool

        /// Where the pump must stop next: a stall point, a drop point or the end.
        var nextStop: Int64 {
            var stop = generator.size
            if let stallAt, stallAt > offset || (stallAt == offset && !paused) { stop = min(stop, stallAt) }
            for point in [closeAt, closeConnectionAt, goAwayAt] {
                if let point { stop = min(stop, point) }
            }
            return stop
        }
    }

    init(router: MockRouter, state: MockServerState, overHTTP2: Bool) {
        self.router = router
        self.state = state
        self.overHTTP2 = overHTTP2
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let requestHead):
            head = requestHead
            body.removeAll(keepingCapacity: true)
            bodyTooLarge = false
        case .body(let buffer):
            if body.count + buffer.readableBytes > Self.maxRequestBody {
                bodyTooLarge = true
            } else {
                body.append(contentsOf: buffer.readableBytesView)
            }
        case .end:
            guard let requestHead = head else { return }
            head = nil
            respond(to: requestHead, context: context)
        }
    }

    private func respond(to requestHead: HTTPRequestHead, context: ChannelHandlerContext) {
        generation += 1
        let keepAlive = requestHead.isKeepAlive
        if bodyTooLarge {
            send(.error(413, "The request body is too large."), keepAlive: false, context: context)
            return
        }
        let request = MockRequest(
            method: requestHead.method.rawValue,
            uri: requestHead.uri,
            httpVersion: overHTTP2 ? "HTTP/2" : "HTTP/1.1",
            headers: requestHead.headers.map { (name: $0.name, value: $0.value) },
            body: body
        )
        let (reply, latency) = router.route(request)
        guard latency > 0 else {
            send(reply, keepAlive: keepAlive, context: context)
            return
        }
        let scheduledGeneration = generation
        context.eventLoop.assumeIsolated().scheduleTask(in: .milliseconds(Int64(latency))) { [self] in
            guard generation == scheduledGeneration, context.channel.isActive else { return }
            send(reply, keepAlive: keepAlive, context: context)
        }
    }

    /// Sends the webhook off the event loop, then answers this request with the receiver's answer.
    private func deliver(_ delivery: WebhookDelivery, keepAlive: Bool, context: ChannelHandlerContext) {
        let scheduledGeneration = generation
        let eventLoop = context.eventLoop
        let bound = NIOLoopBound((handler: self, context: context), eventLoop: eventLoop)
        Task {
            let reply: MockReply
            do throws(WebhookDeliveryError) {
                reply = .encoded(200, try await WebhookSender.send(delivery, group: eventLoop))
            } catch {
                reply = .error(502, error.description)
            }
            eventLoop.execute {
                let (handler, context) = bound.value
                guard handler.generation == scheduledGeneration, context.channel.isActive else { return }
                handler.send(reply, keepAlive: keepAlive, context: context)
            }
        }
    }

    private func send(_ reply: MockReply, keepAlive: Bool, context: ChannelHandlerContext) {
        var headers = HTTPHeaders([("Server", "boldsign-mock")])
        switch reply {
        case .sendWebhook(let delivery):
            deliver(delivery, keepAlive: keepAlive, context: context)
        case .complete(let status, let extra, let bytes):
            headers.add(contentsOf: extra)
            if !headers.contains(name: "Content-Length") { headers.add(name: "Content-Length", value: String(bytes.count)) }
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            state.responded(status: status, imageBody: false)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers))), promise: nil)
            if !bytes.isEmpty {
                var buffer = context.channel.allocator.buffer(capacity: bytes.count)
                buffer.writeBytes(bytes)
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
            }
            finish(keepAlive: keepAlive, context: context)
        case .image(let extra, let generator, let chunked, let fault):
            headers.add(contentsOf: extra)
            if chunked {
                headers.add(name: "Transfer-Encoding", value: "chunked")
            } else {
                headers.add(name: "Content-Length", value: String(generator.size))
            }
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            state.responded(status: 200, imageBody: true)
            context.write(wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: .ok, headers: headers))), promise: nil)
            stream = BodyStream(
                generator: generator,
                stallAt: fault?.stallSeconds == nil && fault?.stallUntilRequests == nil ? nil : fault?.stallAfterBytes,
                stallSeconds: fault?.stallSeconds ?? 0,
                stallUntilRequests: fault?.stallUntilRequests,
                closeAt: fault?.closeAfterBytes,
                closeConnectionAt: fault?.closeConnectionAfterBytes,
                goAwayAt: overHTTP2 ? fault?.goAwayAfterBytes : nil,
                keepAlive: keepAlive
            )
            pump(context: context)
        }
    }

    private func pump(context: ChannelHandlerContext) {
        // flush() can fire channelWritabilityChanged synchronously; the outer loop handles that case.
        guard !pumping, var current = stream, !current.paused else { return }
        pumping = true
        defer { pumping = false }
        let stop = current.nextStop
        repeat {
            while context.channel.isWritable, current.offset < stop {
                let count = Int(min(Int64(Self.chunkSize), stop - current.offset))
                var buffer = context.channel.allocator.buffer(capacity: count)
                let offset = current.offset
                buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: count) { pointer in
                    current.generator.fill(UnsafeMutableRawBufferPointer(rebasing: pointer[0..<count]), offset: offset)
                }
                context.write(wrapOutboundOut(.body(.byteBuffer(buffer))), promise: nil)
                current.offset += Int64(count)
            }
            stream = current
            context.flush()
        } while context.channel.isWritable && current.offset < stop && stream != nil
        guard stream != nil else { return }  // the channel closed while flushing
        guard current.offset == stop else { return }  // not writable: channelWritabilityChanged resumes

        let size = current.generator.size
        if let closeAt = current.closeConnectionAt, current.offset == closeAt, closeAt < size {
            stream = nil
            (overHTTP2 ? context.channel.parent ?? context.channel : context.channel).close(promise: nil)
        } else if let closeAt = current.closeAt, current.offset == closeAt, closeAt < size {
            // On an HTTP/2 stream's channel, closing it before the end resets the stream (RST_STREAM).
            stream = nil
            context.close(promise: nil)
        } else if let goAwayAt = current.goAwayAt, current.offset == goAwayAt, goAwayAt < size {
            stream?.goAwayAt = nil
            sendGoAway(context: context)
            context.eventLoop.assumeIsolated().execute { [self] in pump(context: context) }
        } else if let stallAt = current.stallAt, current.offset == stallAt, stallAt < current.generator.size {
            stream?.paused = true
            stream?.stallAt = nil
            resume(after: .milliseconds(Int64(current.stallSeconds * 1000)), once: current.stallUntilRequests, context: context)
        } else {
            stream = nil
            finish(keepAlive: current.keepAlive, context: context)
        }
    }

    /// Resumes a stalled body after `delay`, and once the server has received `requests` requests.
    private func resume(after delay: TimeAmount, once requests: Int?, context: ChannelHandlerContext) {
        let scheduledGeneration = generation
        context.eventLoop.assumeIsolated().scheduleTask(in: delay) { [self] in
            guard generation == scheduledGeneration, context.channel.isActive else { return }
            if let requests, state.statistics.requests < requests {
                return resume(after: .milliseconds(10), once: requests, context: context)
            }
            stream?.paused = false
            pump(context: context)
        }
    }

    /// Tells the client that no stream after this one will be processed; NIO resets the later ones.
    private func sendGoAway(context: ChannelHandlerContext) {
        guard let connection = context.channel.parent,
              let streamID = try? context.channel.syncOptions?.getOption(HTTP2StreamChannelOptions.streamID) else { return }
        let frame = HTTP2Frame(streamID: .rootStream, payload: .goAway(lastStreamID: streamID, errorCode: .noError, opaqueData: nil))
        connection.writeAndFlush(frame, promise: nil)
    }

    private func finish(keepAlive: Bool, context: ChannelHandlerContext) {
        let written = context.writeAndFlush(wrapOutboundOut(.end(nil)))
        if !keepAlive {
            written.assumeIsolated().whenComplete { _ in context.close(promise: nil) }
        }
    }

    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if context.channel.isWritable { pump(context: context) }
        context.fireChannelWritabilityChanged()
    }

    func channelInactive(context: ChannelHandlerContext) {
        if stream != nil { state.bodyAbandoned(at: Date().timeIntervalSince1970) }
        stream = nil
        generation += 1
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }
}
