@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import Logging
import MetricsTestKit
import InMemoryTracing
import SystemPackage
import TestSupport
import Testing

/// The canary suite: a hostile server echoes the API key everywhere a server can — every header the client
/// reads, status text, 2xx, 4xx and 5xx bodies, JSON messages, JSON escapes, request ids, and at every
/// length the client cuts a text to — and nothing the client or the CLI emits may hold a run of eight or
/// more of its characters: not an error's description, a log line at trace level, a metric, a span, a
/// result, nor anything the CLI prints on stdout or stderr. Over HTTP/1.1, TLS and HTTP/2 (the mock), and
/// over a hand-written HTTP/1.1 server for what the mock cannot send (status text, a JSON answer that
/// echoes the key in an escape).
@Suite struct CanaryTests {
    static let key = "sk-7Qx2Lm9Pw4Rt8Vb3Nc6Hj1Kd5Fg0SzYa4Ue"
    static let canarySigner = Signer.email("canary@example.com")
    static let echoedReportSigner = Signer.email("canary-report@example.com")

    /// The first run of eight characters of the key in `text`, if any.
    static func leak(in text: String) -> String? {
        let characters = Array(key)
        for start in 0...(characters.count - 8) where text.contains(String(characters[start..<start + 8])) {
            return String(characters[start..<start + 8])
        }
        return nil
    }

    static func expectNoLeak(in texts: [String], sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            if let run = leak(in: text) {
                Issue.record("the key leaked (\(run)) into: \(text.prefix(400))", sourceLocation: sourceLocation)
            }
        }
    }

    static func padding(_ count: Int) -> String { String(repeating: "p", count: count) }

    /// Every header the client reads, each echoing the key; the request id so that the key straddles its 128-character cut.
    static let echoingHeaders: [String: String] = [
        "X-Request-Id": padding(124) + key, "Content-Type": "image/jpeg; echo=\(key)", "X-RateLimit-Limit": key,
        "X-RateLimit-Remaining": key, "X-RateLimit-Reset": key, "Retry-After": key, "Content-Disposition": "attachment; filename=\"\(key).jpg\"",
        "WWW-Authenticate": "Bearer \(key)", "X-Echo": key,
    ]

    /// The canary files: each status class, each body shape, the key across each cut (messages 500, snippets 200).
    static let responses: [String: MockFixtures.Fault.Response] = [
        "canary-200": .init(status: 200, headers: echoingHeaders, body: "image bytes that echo \(key)"),
        "canary-400-json": .init(status: 400, headers: echoingHeaders, body: #"{"error":"\#(padding(495))\#(key)"}"#),
        "canary-401-plain": .init(status: 401, headers: echoingHeaders, body: padding(496) + key),
        "canary-403-problem": .init(status: 403, headers: echoingHeaders,
                                    body: #"{"title":"\#(key)","detail":"\#(padding(480))\#(key)","errors":{"\#(key)":["\#(key)"]}}"#),
        "canary-404-empty": .init(status: 404, headers: echoingHeaders),
        // Retry-After 0: the mock's own X-RateLimit-Reset would otherwise make the retry wait for its window.
        "canary-429": .init(status: 429, headers: echoingHeaders.merging(["Retry-After": "0"]) { $1 }, body: #"{"message":"\#(key)"}"#),
        "canary-500-escaped": .init(status: 500, headers: echoingHeaders, body: #"{"error":"\#(escaped(key))"}"#),
        "canary-503-html": .init(status: 503, headers: echoingHeaders, body: "<html>\(padding(494))\(key)</html>"),
    ]

    /// `text` with every character as a JSON `\u` escape: what a decoder turns back into the key.
    static func escaped(_ text: String) -> String {
        text.unicodeScalars.map { "\\u" + String(repeating: "0", count: 4 - String($0.value, radix: 16).count) + String($0.value, radix: 16) }.joined()
    }

    static let fixtures: MockFixtures = {
        var fixtures = MockFixtures.default
        fixtures.credentials = .init(apiKeys: [key], bearerTokens: [])
        let files = responses.keys.sorted().map { MockFixtures.File(id: $0, size: 10, fault: .init(respond: responses[$0])) }
        let report = JSONValue.object([
            (key: "name", value: .string(key)),
            (key: "document", value: .object([(key: "documentFiles", value: .array([.string(key)]))])),
        ])
        fixtures.documents[2].signers += [
            // Its report is undecodable and echoes the key at the snippet's 200-byte cut.
            .init(emailId: "canary@example.com", reportFault: .init(respond: .init(status: 200, headers: echoingHeaders,
                                                                                    body: "<!doctype html>" + padding(180) + key)),
                  files: files),
            // Its report decodes, and echoes the key in its fields.
            .init(emailId: "canary-report@example.com", verificationFailed: true, report: report),
        ]
        return fixtures
    }()

    @Test(arguments: TestTransport.selected)
    func nothingTheLibraryEmitsHoldsTheEchoedKey(over transport: TestTransport) async throws {
        let logs = CapturingLogHandler()
        let metrics = TestMetrics()
        let tracer = InMemoryTracer()
        let directory = try TemporaryDirectory()
        var emitted = EmittedTexts()
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures), configure: {
            $0.credentials = .apiKey(Self.key)
            $0.retry = RetryPolicy(maxAttempts: 2, baseDelay: .milliseconds(1), maxDelay: .milliseconds(2))
            $0.metricsFactory = metrics
            $0.tracer = tracer
        }) { client, _ in
            let logger = Logger(label: "canary") { _ in logs }
            for fileID in Self.responses.keys.sorted() {
                let request = ImageRequest(documentID: faultDocument, signer: Self.canarySigner, fileID: fileID)
                do {
                    emitted.add(try await client.downloadImage(request, to: FilePath(directory.path + "/\(fileID)"), logger: logger))
                } catch {
                    emitted.add(error)
                }
                do {
                    emitted.add(try await downloadDiscardingBody(client, request))
                } catch {
                    emitted.add(error)
                }
            }
            for signer in [Self.canarySigner, Self.echoedReportSigner] {
                do { emitted.add(try await client.report(documentID: faultDocument, signer: signer, logger: logger)) } catch { emitted.add(error) }
                do {
                    emitted.add(try await client.downloadAllImages(documentID: faultDocument, signer: signer, to: FilePath(directory.path), logger: logger))
                } catch {
                    emitted.add(error)
                }
            }
            let items = Self.responses.keys.sorted().map {
                BatchItem(request: ImageRequest(documentID: faultDocument, signer: Self.canarySigner, fileID: $0),
                          destination: FilePath(directory.path + "/batch-\($0)"))
            }
            for await outcome in client.downloadBatch(items, options: .init(concurrency: 3)) {
                emitted.add(outcome)
            }
        }
        #expect(emitted.texts.count > 40)
        #expect(emitted.texts.contains { $0.contains("<redacted>") }, "the echoes should have been seen and redacted")
        #expect(logs.count > 10)
        var metricTexts: [String] = []
        for counter in metrics.counters { metricTexts.append("\(counter.label) \(counter.dimensions)") }
        for timer in metrics.timers { metricTexts.append("\(timer.label) \(timer.dimensions)") }
        var spanTexts: [String] = []
        for span in tracer.finishedSpans {
            var attributes: [String] = []
            span.attributes.forEach { key, value in attributes.append("\(key)=\(value)") }
            spanTexts.append("\(span.operationName) \(attributes) \(String(describing: span.status))")
        }
        #expect(!metricTexts.isEmpty && !spanTexts.isEmpty)
        Self.expectNoLeak(in: emitted.texts + [logs.text] + metricTexts + spanTexts)
    }

    /// What only a hand-written server sends: the key as status text, in a 2xx JSON answer (raw and escaped),
    /// as an embedded verification link meant for a signer's browser, and across a decoding error's snippet.
    @Test(arguments: [
        "HTTP/1.1 400 \(key)\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"url\":\"https://app.example.com/verify?t=\(key)\"}",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"url\":\"https://app.example.com/verify?t=\(escaped(key))\"}",
        "HTTP/1.1 200 OK\r\nX-Request-Id: \(key)\r\n\r\n\(padding(190))\(key)",
        "HTTP/1.1 502 \(padding(40))\r\nX-Correlation-Id: \(padding(120))\(key)\r\n\r\n\(key)",
    ])
    func aHandWrittenServersEchoesAreRedactedToo(_ response: String) async throws {
        let server = try ScriptedHTTPServer(respondingWith: Array(response.utf8))
        defer { server.stop() }
        let logs = CapturingLogHandler()
        var configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey(Self.key))
        configuration.retry = .none
        var emitted = EmittedTexts()
        try await withBoldSignClient(configuration: configuration, logger: Logger(label: "canary") { _ in logs }) { client in
            do {
                emitted.add(try await client.createEmbeddedVerificationURL(.init(documentID: sampleDocument, signer: alex)))
            } catch {
                emitted.add(error)
            }
            do { emitted.add(try await client.report(documentID: sampleDocument, signer: alex)) } catch { emitted.add(error) }
            do {
                emitted.add(try await downloadDiscardingBody(client, ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile)))
            } catch {
                emitted.add(error)
            }
        }
        Self.expectNoLeak(in: emitted.texts + [logs.text])
    }

    @Test func nothingTheCommandLineToolPrintsHoldsTheEchoedKey() async throws {
        let server = try await MockServer.start(.init(fixtures: Self.fixtures, tls: TestTransport.tlsHTTP2.tls()))
        defer { Task { try? await server.shutdown() } }
        let directory = try TemporaryDirectory()
        let tool = TestPaths.product("boldsign-idv")
        let manifest = directory.path + "/manifest.jsonl"
        try Data(Self.responses.keys.sorted().map {
            #"{"documentId":"\#(faultDocument)","emailId":"canary@example.com","fileId":"\#($0)","output":"\#($0).jpg"}"#
        }.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: manifest))
        let environment = ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin"]
        let common = ["--ca-file", TestPaths.certificates + "/ca.pem", "--retries", "1"]
        let signer = ["--document-id", faultDocument, "--email", "canary@example.com"]
        var commands = Self.responses.keys.sorted().map { ["image"] + signer + ["--file-id", $0, "--output", directory.path + "/\($0)"] }
        commands += [
            ["report"] + signer,
            ["report", "--document-id", faultDocument, "--email", "canary-report@example.com"],
            ["fetch-all"] + signer + ["--output-dir", directory.path + "/all"],
            ["fetch-all", "--document-id", faultDocument, "--email", "canary-report@example.com", "--output-dir", directory.path + "/all2"],
            ["embedded-url", "--document-id", faultDocument, "--email", "canary-report@example.com"],
            ["batch", manifest, "--output-dir", directory.path + "/batch", "--report-file", directory.path + "/batch-report.jsonl"],
        ]
        var texts: [String] = []
        for command in commands {
            for flags in [["--verbose"], ["--json"]] {
                let run = try await ChildProcess.run(tool, command + common + flags, environment: environment)
                texts += [run.text, run.stderr]
            }
        }
        texts.append((try? String(contentsOfFile: directory.path + "/batch-report.jsonl", encoding: .utf8)) ?? "")
        #expect(texts.contains { $0.contains("<redacted>") }, "the echoes should have been printed, redacted")
        Self.expectNoLeak(in: texts)
    }
}
