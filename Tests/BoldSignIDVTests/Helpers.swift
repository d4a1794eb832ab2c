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

/// A mock server and a client pointed at it, both shut down afterwards.
func withClientAndServer<T: Sendable>(
    server serverConfiguration: MockServer.Configuration = .init(),
    configure: (inout Configuration) -> Void = { _ in },
    _ body: (BoldSignClient, MockServer) async throws -> T
) async throws -> T {
    let server = try await MockServer.start(serverConfiguration)
    var configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey(MockFixtures.defaultAPIKey))
    configure(&configuration)
    do {
        let result = try await withBoldSignClient(configuration: configuration) { client in try await body(client, server) }
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
