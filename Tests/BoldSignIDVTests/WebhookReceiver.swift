import NIOCore
import NIOHTTP1
import NIOPosix

/// A loopback HTTP/1.1 server for webhook tests: hands every request's headers and body to `handle` and
/// answers with the status it returns.
final class WebhookReceiver: Sendable {
    typealias Handler = @Sendable (_ headers: HTTPHeaders, _ body: [UInt8]) async -> Int

    let url: String
    private let serving: Task<Void, Never>
    private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>

    private init(port: Int, channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>,
                 serving: Task<Void, Never>) {
        url = "http://127.0.0.1:\(port)/webhooks/boldsign"
        self.channel = channel
        self.serving = serving
    }

    static func start(_ handle: @escaping Handler) async throws -> WebhookReceiver {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        let port = channel.channel.localAddress?.port ?? 0
        let serving = Task<Void, Never> {
            _ = try? await channel.executeThenClose { connections in
                await withDiscardingTaskGroup { group in
                    do {
                        for try await connection in connections {
                            group.addTask { try? await serve(connection, handle) }
                        }
                    } catch {}
                }
            }
        }
        return WebhookReceiver(port: port, channel: channel, serving: serving)
    }

    private static func serve(_ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, _ handle: Handler) async throws {
        try await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let requestHead):
                    head = requestHead
                    body = []
                case .body(let buffer):
                    body += buffer.readableBytesView
                case .end:
                    guard let requestHead = head else { continue }
                    let status = await handle(requestHead.headers, body)
                    let headers = HTTPHeaders([("Content-Length", "0"), ("Connection", "close")])
                    try await outbound.write(.head(HTTPResponseHead(version: .http1_1, status: .init(statusCode: status), headers: headers)))
                    try await outbound.write(.end(nil))
                    return
                }
            }
        }
    }

    func stop() async {
        try? await channel.channel.close()
        serving.cancel()
        await serving.value
    }
}
