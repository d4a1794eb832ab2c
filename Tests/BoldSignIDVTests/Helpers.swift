@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

let sampleDocument = MockFixtures.sampleDocumentID
let largeDocument = MockFixtures.largeDocumentID
let faultDocument = MockFixtures.faultDocumentID
let frontFile = "2e96f9ad-6b0e-4c55-8e0c-3063e73f04f8"
let alex = Signer.email("alex.gayle@example.com")
let bulk = Signer.email("bulk@example.com")
let faults = Signer.email("faults@example.com")

/// How a test reaches the mock server: plain HTTP/1.1 on loopback, and the two ways the real API is
/// reached over TLS — HTTP/1.1, and HTTP/2 negotiated by ALPN, which libcurl picks whenever the server
/// offers it. Suites that move bytes run over all three.
enum TestTransport: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case http1 = "HTTP/1.1"
    case tlsHTTP1 = "HTTP/1.1 over TLS"
    case tlsHTTP2 = "HTTP/2 over TLS"

    var testDescription: String { rawValue }

    /// The transports the parameterised suites run over: all of them, or those `BOLDSIGN_TEST_TRANSPORTS`
    /// names (comma-separated `http1`, `tls-http1`, `tls-http2`), as the sanitizer runs in `.ci/run` do.
    static let selected: [TestTransport] = {
        guard let names = ProcessInfo.processInfo.environment["BOLDSIGN_TEST_TRANSPORTS"] else { return allCases }
        let wanted = Set(names.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        return allCases.filter { wanted.contains($0.name) }
    }()

    /// The name `BOLDSIGN_TEST_TRANSPORTS` uses.
    var name: String {
        switch self {
        case .http1: "http1"
        case .tlsHTTP1: "tls-http1"
        case .tlsHTTP2: "tls-http2"
        }
    }

    /// The protocol the server must see every request arrive over.
    var wireVersion: String { self == .tlsHTTP2 ? "HTTP/2" : "HTTP/1.1" }

    /// The committed test certificate, offering `h2` only for ``tlsHTTP2``.
    func tls(maxConcurrentStreams: Int = 100) -> MockServer.Configuration.TLS? {
        guard self != .http1 else { return nil }
        return MockServer.Configuration.TLS(
            certificateChainPath: TestPaths.certificates + "/server.pem", privateKeyPath: TestPaths.certificates + "/server.key",
            offersHTTP2: self == .tlsHTTP2, maxConcurrentStreams: maxConcurrentStreams)
    }

    /// Trusts the test CA when the server speaks TLS; the client's HTTP version stays at its default.
    func configure(_ configuration: inout Configuration) {
        if self != .http1 { configuration.caFile = FilePath(TestPaths.certificates + "/ca.pem") }
    }
}

/// A mock server and a client pointed at it over `transport`, both shut down afterwards. Checks that
/// every request the server logged came over the transport's protocol, so that a test named for
/// HTTP/2 cannot pass over HTTP/1.1.
func withClientAndServer<T: Sendable>(
    over transport: TestTransport = .http1,
    server serverConfiguration: MockServer.Configuration = .init(),
    configure: (inout Configuration) -> Void = { _ in },
    sourceLocation: SourceLocation = #_sourceLocation,
    _ body: (BoldSignClient, MockServer) async throws -> T
) async throws -> T {
    var serverConfiguration = serverConfiguration
    if serverConfiguration.tls == nil { serverConfiguration.tls = transport.tls() }
    let server = try await MockServer.start(serverConfiguration)
    var configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey(MockFixtures.defaultAPIKey))
    // Under a sanitizer the in-process mock's TLS handshake alone can take seconds.
    configuration.timeouts.connect = .seconds(10 * timingSlack)
    transport.configure(&configuration)
    configure(&configuration)
    do {
        let result = try await withBoldSignClient(configuration: configuration) { client in try await body(client, server) }
        let versions = Set(server.requestLog.map(\.httpVersion))
        #expect(versions.isSubset(of: [transport.wireVersion]), "requests came over \(versions)", sourceLocation: sourceLocation)
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}

/// Expects `body` to throw a ``BoldSignError`` of `kind` and returns it for further checks.
@discardableResult
func expectError<T>(
    _ kind: BoldSignError.Kind, sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> T
) async -> BoldSignError? {
    do {
        _ = try await body()
        Issue.record("expected a \(kind) error, got success", sourceLocation: sourceLocation)
        return nil
    } catch let error as BoldSignError {
        #expect(error.kind == kind, "got \(error)", sourceLocation: sourceLocation)
        return error
    } catch {
        Issue.record("expected BoldSignError, got \(error)", sourceLocation: sourceLocation)
        return nil
    }
}

/// Downloads `request` into `/dev/null`: for tests that care about the request or the error, not the bytes.
@discardableResult
func downloadDiscardingBody(_ client: BoldSignClient, _ request: ImageRequest) async throws -> ImageDownload {
    let fd = try FileDescriptor.open("/dev/null", .writeOnly)
    defer { try? fd.close() }
    return try await client.downloadImage(request, into: fd)
}

/// Downloads the sample signer's front image `count` times at once, to `directory/0.jpg`, `1.jpg` …: the
/// ordinary traffic that must go on beside a stuck or slow consumer.
func downloadFrontImageConcurrently(_ client: BoldSignClient, count: Int, into directory: String) async throws {
    try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 0..<count {
            group.addTask {
                _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile),
                                                   to: FilePath(directory + "/\(index).jpg"))
            }
        }
        try await group.waitForAll()
    }
}

/// Opens (creating, truncating) a file for writing, mode 0600.
func openForWriting(_ path: String) throws -> FileDescriptor {
    try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate], permissions: [.ownerRead, .ownerWrite])
}

func fileSize(_ path: String) -> Int? {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
}

func directoryEntries(_ path: String) -> [String] {
    ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted()
}
