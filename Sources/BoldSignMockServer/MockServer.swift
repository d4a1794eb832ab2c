import NIOCore
import NIOHTTP1
import NIOHTTP2
import NIOPosix
import NIOSSL

/// A BoldSign-compatible identity-verification server on a local socket, for tests, benchmarks,
/// demos and users' own CI. It never talks to the real API.
///
/// ```swift
/// let server = try await MockServer.start(.init(port: 0))
/// defer { Task { try await server.shutdown() } }
/// print(server.baseURL)  // http://127.0.0.1:54321
/// ```
public final class MockServer: Sendable {
    /// How to run the server.
    public struct Configuration: Sendable {
        /// TLS material: PEM files for the certificate chain and its private key.
        public struct TLS: Sendable, Hashable {
            /// Path of the PEM certificate chain, leaf first.
            public var certificateChainPath: String
            /// Path of the PEM private key.
            public var privateKeyPath: String
            /// Offer HTTP/2 (`h2`) besides HTTP/1.1 by ALPN, as BoldSign's front end does; false offers HTTP/1.1 only.
            public var offersHTTP2: Bool
            /// The most HTTP/2 streams a client may have open on one connection (`SETTINGS_MAX_CONCURRENT_STREAMS`).
            public var maxConcurrentStreams: Int

            /// Creates TLS settings.
            public init(certificateChainPath: String, privateKeyPath: String, offersHTTP2: Bool = true, maxConcurrentStreams: Int = 100) {
                self.certificateChainPath = certificateChainPath
                self.privateKeyPath = privateKeyPath
                self.offersHTTP2 = offersHTTP2
                self.maxConcurrentStreams = max(1, maxConcurrentStreams)
            }
        }

        /// The address to listen on; loopback by default.
        public var host: String
        /// The port; `0` picks a free one (read it back from ``MockServer/port``).
        public var port: Int
        /// The documents, signers, files and credentials served.
        public var fixtures: MockFixtures
        /// The per-credential rate limit.
        public var rateLimit: RateLimitPolicy
        /// Serve HTTPS with this certificate instead of plain HTTP (HTTP/1.1 only).
        public var tls: TLS?
        /// Event-loop threads.
        public var threads: Int

        /// Creates a configuration.
        public init(
            host: String = "127.0.0.1", port: Int = 0, fixtures: MockFixtures = .default,
            rateLimit: RateLimitPolicy = .live, tls: TLS? = nil, threads: Int = 1
        ) {
            self.host = host
            self.port = port
            self.fixtures = fixtures
            self.rateLimit = rateLimit
            self.tls = tls
            self.threads = max(1, threads)
        }
    }

    /// Why the server could not start.
    public struct StartError: Error, CustomStringConvertible, Sendable {
        /// What went wrong, in words for an operator.
        public let description: String
    }

    /// The bound port.
    public let port: Int
    /// The bound host.
    public let host: String
    /// `http://host:port` or `https://host:port`.
    public let baseURL: String
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel
    private let state: MockServerState

    private init(host: String, port: Int, scheme: String, group: MultiThreadedEventLoopGroup, channel: any Channel, state: MockServerState) {
        self.host = host
        self.port = port
        self.baseURL = "\(scheme)://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        self.group = group
        self.channel = channel
        self.state = state
    }

    /// Starts a server and returns once it is listening.
    ///
    /// - Throws: ``StartError`` for a port in use, an address that cannot be bound, bad fixtures or unreadable TLS files.
    public static func start(_ configuration: Configuration) async throws -> MockServer {
        do {
            try configuration.fixtures.validate()
        } catch let error as FixtureError {
            throw StartError(description: error.description)
        }
        let sslContext: NIOSSLContext?
        if let tls = configuration.tls {
            do {
                let chain = try NIOSSLCertificate.fromPEMFile(tls.certificateChainPath).map { NIOSSLCertificateSource.certificate($0) }
                let key = try NIOSSLPrivateKey(file: tls.privateKeyPath, format: .pem)
                var tlsConfiguration = TLSConfiguration.makeServerConfiguration(certificateChain: chain, privateKey: .privateKey(key))
                tlsConfiguration.applicationProtocols = tls.offersHTTP2 ? ["h2", "http/1.1"] : ["http/1.1"]
                sslContext = try NIOSSLContext(configuration: tlsConfiguration)
            } catch {
                throw StartError(description: "cannot load TLS certificate \(tls.certificateChainPath) or key \(tls.privateKeyPath): \(error)")
            }
        } else {
            sslContext = nil
        }

        let state = MockServerState()
        let router = MockRouter(fixtures: configuration.fixtures, rateLimit: configuration.rateLimit, state: state)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.threads)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.writeBufferWaterMark, value: .init(low: 512 * 1024, high: 2 * 1024 * 1024))
            .childChannelInitializer { channel in
                state.connectionAccepted()
                let maxStreams = configuration.tls?.maxConcurrentStreams ?? 100
                do {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(ConnectionObserver(state: state))
                    guard let sslContext else {
                        try sync.configureHTTPServerPipeline(withErrorHandling: true)
                        try sync.addHandler(MockHTTPHandler(router: router, state: state, overHTTP2: false))
                        return channel.eventLoop.makeSucceededVoidFuture()
                    }
                    try sync.addHandler(NIOSSLServerHandler(context: sslContext))
                } catch {
                    return channel.eventLoop.makeFailedFuture(error)
                }
                // ALPN decides: HTTP/2 streams each get a handler behind an HTTP/1-style codec, so one
                // handler serves both protocols.
                var connection = NIOHTTP2Handler.ConnectionConfiguration()
                connection.initialSettings = nioDefaultSettings.filter { $0.parameter != .maxConcurrentStreams }
                    + [HTTP2Setting(parameter: .maxConcurrentStreams, value: maxStreams)]
                // libcurl ends each stream with RST_STREAM once the body it expects has arrived, whether or not
                // the end of the stream came with it; NIO counts those as a rapid-reset attack after 200 in 30 s
                // and ends the connection, which no API front end does to a client that reads what it asked for.
                var streams = NIOHTTP2Handler.StreamConfiguration()
                streams.streamResetFrameRateLimit.maximumCount = Int(Int32.max)
                return channel.configureCommonHTTPServerPipeline(
                    connectionConfiguration: connection, streamConfiguration: streams
                ) { streamOrConnection in
                    streamOrConnection.eventLoop.makeCompletedFuture {
                        let overHTTP2 = streamOrConnection !== channel
                        try streamOrConnection.pipeline.syncOperations.addHandler(MockHTTPHandler(router: router, state: state, overHTTP2: overHTTP2))
                    }
                }
            }
        do {
            let channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
            let port = channel.localAddress?.port ?? configuration.port
            return MockServer(host: configuration.host, port: port, scheme: sslContext == nil ? "http" : "https",
                              group: group, channel: channel, state: state)
        } catch {
            try? await group.shutdownGracefully()
            if let io = error as? IOError, io.errnoCode == EADDRINUSE {
                throw StartError(description: "port \(configuration.port) on \(configuration.host) is already in use")
            }
            throw StartError(description: "cannot listen on \(configuration.host):\(configuration.port): \(error)")
        }
    }

    /// Counters of what the server has seen so far.
    public var statistics: MockServerStatistics { state.statistics }

    /// The most recent requests (up to 256), oldest first, with credentials redacted.
    public var requestLog: [RecordedRequest] { state.requestLog }

    /// Sends a signed webhook as BoldSign would and returns the receiver's answer.
    ///
    /// - Throws: ``WebhookDeliveryError`` when the receiver cannot be reached or does not answer, or when the
    ///   package was built without its `Webhooks` trait.
    public func sendWebhook(_ delivery: WebhookDelivery) async throws(WebhookDeliveryError) -> WebhookDeliveryResult {
        try await WebhookSender.send(delivery, group: group)
    }

    /// Zeroes the counters, the request log, the rate-limit windows and fail-first faults.
    public func reset() { state.reset() }

    /// Stops listening, closes every connection and stops the server's threads.
    public func shutdown() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
    }
}
