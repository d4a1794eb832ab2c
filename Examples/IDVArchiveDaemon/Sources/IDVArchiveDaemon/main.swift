import BoldSignIDV
import Foundation
import Hummingbird
import Logging
import Metrics
import Prometheus
import ServiceLifecycle
import SystemPackage

// Whatever the daemon creates — archive directories and images, the database — is its owner's only.
umask(0o077)

var logger = Logger(label: "idv-archive-daemon")
logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info

let configuration: DaemonConfiguration
do {
    configuration = try DaemonConfiguration.load(arguments: CommandLine.arguments, environment: ProcessInfo.processInfo.environment)
} catch {
    FileHandle.standardError.write(Data("idv-archive-daemon: \(error)\n".utf8))
    exit(78)  // EX_CONFIG
}

let registry = PrometheusCollectorRegistry()
MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
let metrics = DaemonMetrics()

do {
    try FileManager.default.createDirectory(atPath: configuration.archiveDirectory, withIntermediateDirectories: true,
                                            attributes: [.posixPermissions: 0o700])
    let queue = try JobQueue(path: configuration.databasePath)
    metrics.queueDepth(try await queue.depth())
    let client = try BoldSignClient(configuration: configuration.client, logger: logger)
    let endpoint = WebhookEndpoint(
        verifier: WebhookVerifier(secret: configuration.webhookSecret, previousSecret: configuration.previousWebhookSecret),
        queue: queue, metrics: metrics, logger: logger)
    let worker = ArchiveWorker(queue: queue, client: client, archive: FilePath(configuration.archiveDirectory),
                               concurrency: configuration.concurrency, jobTimeout: configuration.jobTimeout, metrics: metrics, logger: logger)

    let router = Router()
    router.post("webhooks/boldsign") { request, _ in try await endpoint.handle(request) }
    router.get("healthz") { _, _ -> Response in
        _ = try await queue.depth()
        return Response(status: .ok, body: .init(byteBuffer: ByteBuffer(string: "ok\n")))
    }
    router.get("metrics") { _, _ -> Response in
        Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4"],
                 body: .init(byteBuffer: ByteBuffer(bytes: registry.emitToBuffer())))
    }
    // The application shuts its services down in reverse order: the HTTP server first, then the worker
    // (no new job), then the client (transfers in flight get its grace period).
    // Idle connections are closed after idleTimeoutSeconds (which also bounds a request head that never
    // completes), and the quietest is closed early when they would use up the descriptors.
    let shedder = ConnectionShedder(limit: ConnectionShedder.limit(configured: configuration.maxConnections,
                                                                   descriptors: ConnectionShedder.descriptorLimit))
    let app = Application(
        router: router,
        server: .http1(configuration: .init(additionalChannelHandlers: [shedder.handler()], idleTimeout: .seconds(Int64(configuration.idleTimeoutSeconds)))),
        configuration: .init(address: .hostname(configuration.listenHost, port: configuration.listenPort), serverName: "idv-archive-daemon"),
        services: [client, worker],
        logger: logger)
    var group = ServiceGroupConfiguration(services: [app], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
    group.maximumGracefulShutdownDuration = configuration.drain
    logger.info("idv-archive-daemon listening", metadata: [
        "address": "\(configuration.listenHost):\(configuration.listenPort)", "max-connections": "\(shedder.limit)",
    ])
    try await ServiceGroup(configuration: group).run()
} catch {
    logger.critical("idv-archive-daemon stopped", metadata: ["error": "\(error)"])
    exit(1)
}
