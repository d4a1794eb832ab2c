import ArgumentParser
import BoldSignMockServer
import Dispatch
import Foundation

@main
struct BoldSignMockCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boldsign-mock",
        abstract: "A local server that behaves like BoldSign's identity-verification API.",
        discussion: """
            Serves POST /v1/identityVerification/report and /image from fixtures, with BoldSign's auth, \
            error bodies and rate-limit headers. Default credentials: X-API-KEY \(MockFixtures.defaultAPIKey) \
            or Authorization: Bearer \(MockFixtures.defaultBearerToken).
            """,
        subcommands: [Serve.self, Generate.self, DemoCommand.self],
        defaultSubcommand: Serve.self
    )
}

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run the server (the default). The first line on stdout is its base URL.")

    @Option(help: "Address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free one.")
    var port = 8787

    @Option(help: "Fixtures JSON file (default: the built-in set).")
    var fixtures: String?

    @Option(help: "Requests per window and credential; 0 turns rate limiting off.")
    var rateLimit = RateLimitPolicy.live.limit

    @Option(help: "Rate-limit window length in seconds.")
    var rateWindow = RateLimitPolicy.live.windowSeconds

    @Option(help: "PEM certificate chain: serve HTTPS, offering HTTP/2 and HTTP/1.1 by ALPN as BoldSign does.")
    var tlsCert: String?

    @Option(help: "PEM private key for --tls-cert.")
    var tlsKey: String?

    @Flag(help: "With --tls-cert, offer HTTP/1.1 only.")
    var noHTTP2 = false

    @Option(help: "With --tls-cert, the most HTTP/2 streams a client may have open on one connection.")
    var maxConcurrentStreams = 100

    @Option(help: "Event-loop threads.")
    var threads = 1

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
        guard (tlsCert == nil) == (tlsKey == nil) else { throw ValidationError("--tls-cert and --tls-key go together") }
        guard rateLimit >= 0, rateWindow > 0 else { throw ValidationError("--rate-limit must be >= 0 and --rate-window > 0") }
        guard (1...64).contains(threads) else { throw ValidationError("--threads must be 1...64") }
        guard maxConcurrentStreams >= 1 else { throw ValidationError("--max-concurrent-streams must be 1 or more") }
    }

    func run() async throws {
        do {
            let loaded = try fixtures.map(MockFixtures.load(from:)) ?? .default
            let tls = tlsCert.flatMap { cert in
                tlsKey.map {
                    MockServer.Configuration.TLS(certificateChainPath: cert, privateKeyPath: $0, offersHTTP2: !noHTTP2,
                                                 maxConcurrentStreams: maxConcurrentStreams)
                }
            }
            let server = try await MockServer.start(.init(
                host: host, port: port, fixtures: loaded,
                rateLimit: RateLimitPolicy(limit: rateLimit, windowSeconds: rateWindow), tls: tls, threads: threads))
            // Unbuffered, so a script reading the first line sees it at once.
            FileHandle.standardOutput.write(Data("\(server.baseURL)\n".utf8))
            let signal = await Self.waitForTerminationSignal()
            FileHandle.standardError.write(Data("boldsign-mock: \(signal), shutting down\n".utf8))
            try await server.shutdown()
        } catch let error as FixtureError {
            FileHandle.standardError.write(Data("boldsign-mock: \(error.description)\n".utf8))
            throw ExitCode(2)
        } catch let error as MockServer.StartError {
            FileHandle.standardError.write(Data("boldsign-mock: \(error.description)\n".utf8))
            throw ExitCode(1)
        }
    }

    /// Waits for SIGINT or SIGTERM and returns its name.
    private static func waitForTerminationSignal() async -> String {
        await withCheckedContinuation { (continuation: CheckedContinuation<String, Never>) in
            let resumed = SignalLatch(continuation)
            for (number, name) in [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")] {
                signal(number, SIG_IGN)
                let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
                source.setEventHandler { resumed.fire(name) }
                source.resume()
                resumed.keep(source)
            }
        }
    }
}

/// Resumes a continuation once, from whichever signal comes first, and keeps the sources alive.
private final class SignalLatch: @unchecked Sendable {
    private let lock = NSLock()
    private var continuation: CheckedContinuation<String, Never>?
    private var sources: [any DispatchSourceSignal] = []

    init(_ continuation: CheckedContinuation<String, Never>) { self.continuation = continuation }

    func keep(_ source: any DispatchSourceSignal) { lock.withLock { sources.append(source) } }

    func fire(_ name: String) {
        let pending = lock.withLock { () -> CheckedContinuation<String, Never>? in
            defer { continuation = nil }
            return continuation
        }
        pending?.resume(returning: name)
    }
}

struct Generate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write the exact body the server sends for a file id to stdout (to hash or compare).")

    @Option(help: "The file id.")
    var fileId: String

    @Option(help: "Fixtures JSON file (default: the built-in set).")
    var fixtures: String?

    func run() throws {
        let loaded: MockFixtures
        do {
            loaded = try fixtures.map(MockFixtures.load(from:)) ?? .default
        } catch let error as FixtureError {
            FileHandle.standardError.write(Data("boldsign-mock: \(error.description)\n".utf8))
            throw ExitCode(2)
        }
        let file = loaded.documents.lazy.flatMap { $0.signers }.flatMap { $0.files }.first { $0.id == fileId }
        guard let file else {
            FileHandle.standardError.write(Data("boldsign-mock: no file with id \(fileId) in the fixtures\n".utf8))
            throw ExitCode(2)
        }
        let generator = file.generator
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        var offset: Int64 = 0
        while offset < generator.size {
            try buffer.withUnsafeMutableBytes { chunk in
                let count = generator.fill(chunk, offset: offset)
                var written = 0
                while written < count {
                    let result = write(STDOUT_FILENO, chunk.baseAddress.map { $0 + written }, count - written)
                    if result < 0 {
                        if errno == EINTR { continue }
                        throw ExitCode(1)
                    }
                    written += result
                }
                offset += Int64(count)
            }
        }
    }
}
