@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import Logging
import SystemPackage
import TestSupport
import Testing

/// Collects every log record, at trace level, with its metadata, as text.
final class CapturingLogHandler: LogHandler, @unchecked Sendable {
    private let lock = NSLock()
    private var records: [String] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { $1 }
        lock.withLock { records.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "") \(event.source)") }
    }

    var text: String { lock.withLock { records.joined(separator: "\n") } }
    var count: Int { lock.withLock { records.count } }
}

/// Everything a scenario produced — results, errors, configurations — as the text a program could print.
struct EmittedTexts {
    var texts: [String] = []
    mutating func add(_ value: Any) {
        texts.append(String(describing: value))
        texts.append(String(reflecting: value))
    }
}

/// Everything the library and the CLI emit — trace-level logs, errors, results, `--json`, `--verbose`,
/// report files — is scanned for the API key and the bearer token, across successes, server errors
/// that echo the secret back, retries, rate limits, cancellations and transport failures.
@Suite struct SecretsTests {
    static let apiKey = "sk-live-2b7f9e41c0d3a8"
    static let token = "eyJhbGciOiJSUzI1NiJ9.secret-token-5c1d"
    static let unknownKey = "sk-unknown-7a7a7a7a"

    static let fixtures: MockFixtures = {
        var fixtures = ErrorResponseTests.cannedFixtures([
            "echo-body": .init(status: 403, body: #"{"error":"key \#(apiKey) / token \#(token) refused"}"#),
            "echo-header": .init(status: 500, headers: ["X-Request-Id": "\(apiKey)", "X-Echo": "Bearer \(token)"],
                                 body: "Authorization: Bearer \(token) X-API-KEY: \(apiKey)"),
            "echo-429": .init(status: 429, headers: ["Retry-After": "0", "X-Request-Id": "\(token)"], body: apiKey),
        ])
        fixtures.credentials = .init(apiKeys: [apiKey], bearerTokens: [token])
        return fixtures
    }()

    private func exercise(_ credentials: Credentials, server: MockServer, logs: CapturingLogHandler) async throws -> EmittedTexts {
        var emitted = EmittedTexts()
        var configuration = Configuration(baseURL: server.baseURL, credentials: credentials)
        configuration.retry.maxAttempts = 2
        configuration.retry.baseDelay = .milliseconds(1)
        emitted.add(configuration)
        emitted.add(credentials)
        let logger = Logger(label: "secrets-test") { _ in logs }
        let directory = try TemporaryDirectory()
        try await withBoldSignClient(configuration: configuration, logger: logger) { client in
            emitted.add(try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile),
                                                       to: FilePath(directory.path + "/front.jpg")))
            emitted.add(try await client.report(documentID: sampleDocument, signer: alex))
            emitted.add(try await client.downloadAllImages(documentID: sampleDocument, signer: alex, to: FilePath(directory.path)))
            for fileID in ["echo-body", "echo-header", "echo-429", "server-error", "no-such-file", "drop"] {
                do {
                    _ = try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: fileID),
                                                       to: FilePath(directory.path + "/\(fileID)"))
                    Issue.record("\(fileID) should have failed")
                } catch {
                    emitted.add(error)
                }
            }
            let batch = ["small", "echo-body"].map {
                BatchItem(request: ImageRequest(documentID: $0 == "small" ? largeDocument : faultDocument, signer: $0 == "small" ? bulk : faults, fileID: $0),
                          destination: FilePath(directory.path + "/batch-\($0)"))
            }
            for await outcome in client.downloadBatch(batch, options: .init(concurrency: 2)) {
                emitted.add(outcome)
            }
            let stalled = Task {
                try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "stall"),
                                               to: FilePath(directory.path + "/stall"))
            }
            try await Task.sleep(for: .milliseconds(100))
            stalled.cancel()
            emitted.add(await stalled.result)
        }
        // A connection that cannot be made, and a client whose configuration is refused.
        var closed = configuration
        closed.baseURL = "http://127.0.0.1:1"
        do {
            try await withBoldSignClient(configuration: closed, logger: logger) { client in
                _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile),
                                                   to: FilePath(directory.path + "/never"))
            }
        } catch { emitted.add(error) }
        var refused = configuration
        refused.baseURL = "ftp://\(Self.apiKey)@example.com"
        do { _ = try BoldSignClient(configuration: refused, logger: logger) } catch { emitted.add(error) }
        return emitted
    }

    /// The client can only scrub what it knows: the credential it was given (the echoing fixtures
    /// also echo the other secret, which a client holding only one of them cannot recognise).
    private func expectNoSecret(_ secret: String, in texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            if text.contains(secret) {
                Issue.record("a secret leaked into: \(text.prefix(300))", sourceLocation: sourceLocation)
            }
        }
    }

    @Test(arguments: [Credentials.apiKey(apiKey), .bearerToken(token)])
    func nothingTheLibraryEmitsContainsACredential(_ credentials: Credentials) async throws {
        let server = try await MockServer.start(.init(fixtures: Self.fixtures))
        let logs = CapturingLogHandler()
        let emitted = try await exercise(credentials, server: server, logs: logs)
        try await server.shutdown()
        #expect(logs.count > 10, "the scenario should have logged at debug and trace level")
        #expect(emitted.texts.count > 20)
        expectNoSecret(credentials.secret, in: emitted.texts + [logs.text])
    }

    @Test func anUnknownKeyIsNotEchoedEither() async throws {
        try await withClientAndServer(server: .init(fixtures: Self.fixtures), configure: { $0.credentials = .apiKey(Self.unknownKey) }) { client, _ in
            let error = await expectError(.unauthorized) {
                try await downloadDiscardingBody(client, ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile))
            }
            expectNoSecret(Self.unknownKey, in: [String(describing: error), String(reflecting: error)])
        }
    }

    @Test func nothingTheCommandLineToolPrintsOrWritesContainsACredential() async throws {
        let server = try await MockServer.start(.init(fixtures: Self.fixtures))
        let directory = try TemporaryDirectory()
        let tool = TestPaths.product("boldsign-idv")
        let manifest = directory.path + "/manifest.jsonl"
        try Data("""
            {"documentId":"\(faultDocument)","emailId":"faults@example.com","fileId":"echo-body","output":"a.jpg"}
            {"documentId":"\(faultDocument)","emailId":"faults@example.com","fileId":"echo-header","output":"b.jpg"}
            {"documentId":"\(sampleDocument)","emailId":"alex.gayle@example.com","fileId":"\(frontFile)","output":"c.jpg"}

            """.utf8).write(to: URL(fileURLWithPath: manifest))
        for (name, secret) in [("BOLDSIGN_API_KEY", Self.apiKey), ("BOLDSIGN_ACCESS_TOKEN", Self.token)] {
            var texts: [String] = []
            let environment = [name: secret, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin"]
            for arguments in [
                ["image", "--document-id", sampleDocument, "--email", "alex.gayle@example.com", "--file-id", frontFile, "--output", directory.path + "/x.jpg", "--overwrite"],
                ["image", "--document-id", faultDocument, "--email", "faults@example.com", "--file-id", "echo-body", "--output", directory.path + "/y.jpg"],
                ["image", "--document-id", faultDocument, "--email", "faults@example.com", "--file-id", "echo-header", "--output", directory.path + "/z.jpg", "--retries", "0"],
                ["report", "--document-id", sampleDocument, "--email", "alex.gayle@example.com"],
                ["fetch-all", "--document-id", sampleDocument, "--email", "alex.gayle@example.com", "--output-dir", directory.path + "/all-\(name)"],
                ["batch", manifest, "--output-dir", directory.path + "/batch-\(name)", "--retries", "0", "--report-file", directory.path + "/report-\(name).jsonl"],
            ] {
                for flags in [["--verbose"], ["--json"], ["--json", "--verbose"]] {
                    let run = try await ChildProcess.run(tool, arguments + flags, environment: environment)
                    texts += [run.text, run.stderr]
                }
            }
            texts.append((try? String(contentsOfFile: directory.path + "/report-\(name).jsonl", encoding: .utf8)) ?? "")
            #expect(texts.contains { $0.contains("refused") }, "the echoing server's messages should have been printed")
            expectNoSecret(secret, in: texts)
        }
        try await server.shutdown()
    }
}
