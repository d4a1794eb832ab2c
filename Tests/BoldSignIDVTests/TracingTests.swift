@testable import BoldSignIDV
import BoldSignMockServer
import InMemoryTracing
import Testing
import Tracing

@Suite struct TracingTests {
    @Test(arguments: TestTransport.selected) func everyRequestIsAClientSpanWithOpenTelemetrysAttributesAndNothingPersonal(
        over transport: TestTransport
    ) async throws {
        let tracer = InMemoryTracer()
        var port = 0
        try await withClientAndServer(over: transport, configure: {
            $0.tracer = tracer
            $0.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(10), maxDelay: .milliseconds(20))
        }) { client, server in
            port = server.port
            _ = try await downloadDiscardingBody(client, ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile))
            await expectError(.forbidden) { try await downloadDiscardingBody(client, ImageRequest(documentID: sampleDocument, signer: alex, fileID: "nope")) }
            _ = try await downloadDiscardingBody(client, ImageRequest(documentID: faultDocument, signer: faults, fileID: "flaky"))
            _ = try await client.report(documentID: sampleDocument, signer: alex)
        }
        let spans = tracer.finishedSpans
        // One span per HTTP request: the flaky file's two 503s and its success are three.
        #expect(spans.count == 6)
        for span in spans {
            #expect(span.operationName == "POST" && span.kind == .client)
            #expect(span.attributes["http.request.method"]?.toSpanAttribute() == "POST")
            #expect(span.attributes["server.address"]?.toSpanAttribute() == "127.0.0.1")
            #expect(span.attributes["server.port"]?.toSpanAttribute() == .int64(Int64(port)))
            var values: [String] = []
            span.attributes.forEach { key, value in values.append("\(key)=\(value)") }
            let text = values.joined(separator: " ")
            for secret in [sampleDocument, faultDocument, "alex", "faults", frontFile, MockFixtures.defaultAPIKey, "flaky"] {
                #expect(!text.contains(secret), "\(text)")
            }
        }
        let statuses = spans.map { $0.attributes["http.response.status_code"]?.toSpanAttribute() }
        #expect(statuses == [.int64(200), .int64(403), .int64(503), .int64(503), .int64(200), .int64(200)])
        #expect(spans.map { $0.attributes["error.type"]?.toSpanAttribute() } == [nil, "403", "503", "503", nil, nil])
        #expect(spans.map { $0.attributes["http.request.resend_count"]?.toSpanAttribute() } == [nil, nil, nil, .int64(1), .int64(2), nil])
        #expect(spans.map { $0.status?.code } == [nil, .error, .error, .error, nil, nil])
    }

    @Test func aTransportFailureNamesItsKind() async throws {
        let tracer = InMemoryTracer()
        var configuration = Configuration(baseURL: "http://127.0.0.1:1", credentials: .apiKey("k"))
        configuration.tracer = tracer
        configuration.retry = .none
        _ = try await withBoldSignClient(configuration: configuration) { client in
            await expectError(.connectionFailed) { try await client.report(documentID: sampleDocument, signer: alex) }
        }
        let span = try #require(tracer.finishedSpans.first)
        #expect(span.attributes["error.type"]?.toSpanAttribute() == "connection_failed")
        #expect(span.attributes["http.response.status_code"] == nil)
    }

    @Test func withoutATracerNothingIsRecordedAndNothingBreaks() async throws {
        try await withClientAndServer { client, _ in
            _ = try await client.report(documentID: sampleDocument, signer: alex)
        }
    }
}
