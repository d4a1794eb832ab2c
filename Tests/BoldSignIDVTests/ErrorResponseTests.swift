@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Every error kind, produced by a real response or fault, never leaking an error body into the output.
@Suite struct ErrorResponseTests {
    /// A fixture whose files answer with the given canned responses.
    static func cannedFixtures(_ responses: [String: MockFixtures.Fault.Response]) -> MockFixtures {
        var fixtures = MockFixtures.default
        for (id, response) in responses.sorted(by: { $0.key < $1.key }) {
            fixtures.documents[2].signers[0].files.append(.init(id: id, size: 10, fault: .init(respond: response)))
        }
        return fixtures
    }

    static let canned = cannedFixtures([
        "bad-request": .init(status: 400, headers: ["Content-Type": "application/problem+json"],
                             body: #"{"title":"One or more validation errors occurred.","status":400,"errors":{"FileId":["The FileId field is required."]}}"#),
        "teapot": .init(status: 418, body: "I'm a teapot\r\nwith two lines"),
        "empty-404": .init(status: 404),
        "bad-gateway": .init(status: 502, headers: ["Content-Type": "text/html"], body: "<html><body>Bad gateway</body></html>"),
        "echo-key": .init(status: 403, body: #"{"error":"key test-api-key is not allowed here"}"#),
        "with-request-id": .init(status: 500, headers: ["X-Request-Id": "req-42"], body: #"{"error":"boom"}"#),
    ])

    private func download(_ client: BoldSignClient, _ fileID: String, document: String = faultDocument, signer: Signer = faults,
                          into path: String) async throws -> ImageDownload {
        let fd = try openForWriting(path)
        defer { try? fd.close() }
        return try await client.downloadImage(ImageRequest(documentID: document, signer: signer, fileID: fileID), into: fd)
    }

    @Test func unknownFileIs403WithTheServersMessageAndNothingInTheOutput() async throws {
        try await withClientAndServer { client, _ in
            let directory = try TemporaryDirectory()
            let error = await expectError(.forbidden) { try await download(client, "no-such-file", into: directory.path + "/out") }
            #expect(error?.status == 403)
            #expect(error?.serverMessage == "Invalid file ID.")
            #expect(error?.description.contains("Invalid file ID.") == true)
            #expect(error?.rateLimit?.limit == 2000)
            #expect(fileSize(directory.path + "/out") == 0)
        }
    }

    @Test func wrongCredentialsAre401AndNeverEchoTheKey() async throws {
        try await withClientAndServer(configure: { $0.credentials = .apiKey("sk-very-secret-key") }) { client, _ in
            let directory = try TemporaryDirectory()
            let error = await expectError(.unauthorized) { try await download(client, "latency", into: directory.path + "/out") }
            #expect(error?.status == 401)
            #expect(error?.serverMessage?.contains("Unauthorized") == true)
            #expect(fileSize(directory.path + "/out") == 0)
            #expect(error.map { !"\($0)".contains("sk-very-secret-key") && !String(reflecting: $0).contains("sk-very-secret-key") } == true)
        }
    }

    @Test func aServerMessageThatEchoesTheKeyIsScrubbed() async throws {
        try await withClientAndServer(server: .init(fixtures: Self.canned)) { client, _ in
            let directory = try TemporaryDirectory()
            let error = await expectError(.forbidden) { try await download(client, "echo-key", into: directory.path + "/out") }
            #expect(error?.serverMessage == "key <redacted> is not allowed here")
        }
    }

    @Test(arguments: [
        ("bad-request", BoldSignError.Kind.badRequest, 400, "One or more validation errors occurred. FileId: The FileId field is required."),
        ("teapot", .unexpectedStatus, 418, "I'm a teapot with two lines"),
        ("empty-404", .notFound, 404, nil),
        ("bad-gateway", .serverError, 502, "<html><body>Bad gateway</body></html>"),
        ("server-error", .serverError, 500, "Internal server error"),
    ] as [(String, BoldSignError.Kind, Int, String?)])
    func statusesMapToKindsAndEveryBodyShapeGivesItsMessage(fileID: String, kind: BoldSignError.Kind, status: Int, message: String?) async throws {
        try await withClientAndServer(server: .init(fixtures: Self.canned), configure: { _ in }) { client, _ in
            let directory = try TemporaryDirectory()
            let error = await expectError(kind) { try await download(client, fileID, into: directory.path + "/out") }
            #expect(error?.status == status)
            #expect(error?.serverMessage == message)
            #expect(fileSize(directory.path + "/out") == 0)
        }
    }

    @Test func requestIDsAreCarriedIntoErrors() async throws {
        try await withClientAndServer(server: .init(fixtures: Self.canned)) { client, _ in
            let directory = try TemporaryDirectory()
            let error = await expectError(.serverError) { try await download(client, "with-request-id", into: directory.path + "/out") }
            #expect(error?.requestID == "req-42")
            #expect(error?.description.contains("[request req-42]") == true)
        }
    }

    @Test func rateLimitedCarriesRetryAfterFromAServer429() async throws {
        try await withClientAndServer(configure: { $0.retry = .none }) { client, _ in
            let directory = try TemporaryDirectory()
            let error = await expectError(.rateLimited) { try await download(client, "rate-limited", into: directory.path + "/out") }
            #expect(error?.retryAfter == .seconds(2))
            #expect(error?.serverMessage == "API calls quota exceeded")
        }
    }

    @Test func theServersOwnRateLimitGives429WithResetAndRetryAfter() async throws {
        try await withClientAndServer(server: .init(rateLimit: .init(limit: 1, windowSeconds: 3600)),
                                      configure: { $0.retry = .none; $0.rateLimiting = .off }) { client, _ in
            let directory = try TemporaryDirectory()
            _ = try await download(client, frontFile, document: sampleDocument, signer: alex, into: directory.path + "/a")
            let error = await expectError(.rateLimited) {
                try await download(client, frontFile, document: sampleDocument, signer: alex, into: directory.path + "/b")
            }
            #expect(error?.rateLimit?.remaining == 0)
            #expect(error?.rateLimit?.resetAt.map { $0 > Date() && $0 < Date().addingTimeInterval(3601) } == true)
            #expect(error?.retryAfter.map { $0 > .zero && $0 <= .seconds(3600) } == true)
        }
    }

    @Test func anUnknownPathIs404() async throws {
        let server = try await MockServer.start(.init())
        defer { Task { try await server.shutdown() } }
        let configuration = Configuration(baseURL: server.baseURL + "/not-the-api", credentials: .apiKey(MockFixtures.defaultAPIKey))
        try await withBoldSignClient(configuration: configuration) { client in
            let directory = try TemporaryDirectory()
            let error = await expectError(.notFound) {
                try await download(client, frontFile, document: sampleDocument, signer: alex, into: directory.path + "/out")
            }
            #expect(error?.serverMessage?.contains("not found") == true)
        }
    }

    @Test func aClosedPortIsAConnectionFailure() async throws {
        // Bind and close to find a port nobody listens on.
        let server = try await MockServer.start(.init())
        let port = server.port
        try await server.shutdown()
        var configuration = Configuration(baseURL: "http://127.0.0.1:\(port)", credentials: .apiKey("k-1234"))
        configuration.retry = .none
        try await withBoldSignClient(configuration: configuration) { client in
            let directory = try TemporaryDirectory()
            let error = await expectError(.connectionFailed) {
                try await download(client, frontFile, document: sampleDocument, signer: alex, into: directory.path + "/out")
            }
            #expect(error?.curlCode == 7)
        }
    }

    @Test func invalidRequestsAreRefusedBeforeAnythingIsSent() async throws {
        try await withClientAndServer { client, server in
            let directory = try TemporaryDirectory()
            let cases: [(ImageRequest, String)] = [
                (ImageRequest(documentID: "not-a-uuid", signer: alex, fileID: "f"), "documentId"),
                (ImageRequest(documentID: sampleDocument, signer: alex, fileID: ""), "fileId"),
                (ImageRequest(documentID: sampleDocument, signer: .email(""), fileID: "f"), "emailId"),
                (ImageRequest(documentID: sampleDocument, signer: .phone(countryCode: "", number: "1"), fileID: "f"), "countryCode"),
                (ImageRequest(documentID: sampleDocument, signer: .phone(countryCode: "+1", number: ""), fileID: "f"), "phoneNumber"),
                (ImageRequest(documentID: sampleDocument, signer: alex, order: 0, fileID: "f"), "order"),
                (ImageRequest(documentID: sampleDocument, signer: alex, fileID: "f\r\nX-Injected: 1"), "fileId"),
                (ImageRequest(documentID: sampleDocument, signer: alex, fileID: "f", onBehalfOf: ""), "onBehalfOf"),
            ]
            for (request, field) in cases {
                let error = await expectError(.invalidRequest) { try await client.downloadImage(request, to: FilePath(directory.path + "/x")) }
                #expect(error?.field == field)
                #expect(error?.description.contains(field) == true)
            }
            #expect(server.statistics.requests == 0)
            #expect(directoryEntries(directory.path).isEmpty)
        }
    }

    @Test(arguments: ["ftp://api.boldsign.com", "http://api.boldsign.com", "https://", "https://user:pw@host", "api.boldsign.com",
                      "https://host:99999", "http://10.0.0.1:8080", "https://host/path?q=1"])
    func unusableBaseURLsAreAConfigurationError(baseURL: String) async {
        await expectError(.invalidConfiguration) { try BoldSignClient(configuration: .init(baseURL: baseURL, credentials: .apiKey("key"))) }
    }
}
