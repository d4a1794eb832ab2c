@testable import BoldSignIDV
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Request fields full of URL, header and JSON metacharacters either reach the server exactly as
/// given — in the JSON body, never as an extra query parameter or header — or are refused before
/// anything is sent. Checked on the server side, from the raw bytes it received.
@Suite struct HostileInputTests {
    private static let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0, 0, 0, 0, 0]

    /// Values that are legal in the JSON body and must arrive unchanged.
    static let carriedValues = [
        "a&documentId=00000000-0000-4000-8000-000000000000", "x#fragment", "100%25%00", "with space", #"quote" and \backslash"#,
        "ünïcødé ✓ 日本語 🙂", "\u{202E}right-to-left", "line\u{2028}separator", "X-API-KEY: stolen", String(repeating: "é", count: 500),
    ]

    /// Values that must be refused: line breaks, NUL and other control characters, and over-long ones.
    static let refusedValues = ["a\r\nX-Injected: 1", "a\nb", "nul\u{0}byte", "tab\tbed", "escape\u{1B}[2J", String(repeating: "x", count: 1025)]

    private func withRecordingServer<T: Sendable>(_ body: (BoldSignClient, ScriptedHTTPServer) async throws -> T) async throws -> T {
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(["HTTP/1.1 200 OK", "Content-Length: \(Self.jpeg.count)"], body: Self.jpeg))
        defer { server.stop() }
        let configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey("input-test-key"))
        return try await withBoldSignClient(configuration: configuration) { client in try await body(client, server) }
    }

    /// The request line, the header lines and the decoded JSON body of one raw request.
    private func parse(_ raw: String) throws -> (requestLine: String, headers: [String], body: [String: Any]) {
        let parts = raw.components(separatedBy: "\r\n\r\n")
        let lines = parts[0].components(separatedBy: "\r\n")
        let bodyBytes = Data(parts.dropFirst().joined(separator: "\r\n\r\n").unicodeScalars.map { UInt8($0.value) })
        let body = try #require(try JSONSerialization.jsonObject(with: bodyBytes) as? [String: Any])
        return (lines[0], Array(lines.dropFirst()), body)
    }

    @Test(arguments: carriedValues)
    func aHostileValueArrivesIntactInTheBodyAndNowhereElse(_ value: String) async throws {
        try await withRecordingServer { client, server in
            try await downloadDiscardingBody(client, ImageRequest(documentID: sampleDocument, signer: .email("\(value)@example.com"), fileID: value, onBehalfOf: value))
            let raw = try #require(server.requests.first)
            let (requestLine, headers, body) = try parse(raw)
            #expect(requestLine == "POST /v1/identityVerification/image?documentId=\(sampleDocument) HTTP/1.1")
            #expect(body["fileId"] as? String == value)
            #expect(body["onBehalfOf"] as? String == value)
            #expect(body["emailId"] as? String == "\(value)@example.com")
            #expect(headers.filter { $0.lowercased().hasPrefix("x-api-key:") } == ["X-API-KEY: input-test-key"])
            #expect(!headers.contains { $0.lowercased().contains("stolen") || $0.lowercased().hasPrefix("x-injected") })
        }
    }

    @Test(arguments: refusedValues)
    func aValueWithControlCharactersOrTooLongIsRefusedBeforeAnythingIsSent(_ value: String) async throws {
        try await withRecordingServer { client, server in
            for (request, field) in [
                (ImageRequest(documentID: sampleDocument, signer: alex, fileID: value), "fileId"),
                (ImageRequest(documentID: sampleDocument, signer: .email("\(value)@example.com"), fileID: frontFile), "emailId"),
                (ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile, onBehalfOf: value), "onBehalfOf"),
                (ImageRequest(documentID: sampleDocument, signer: .phone(countryCode: value, number: "5550100"), fileID: frontFile), "countryCode"),
            ] {
                let error = await expectError(.invalidRequest) { try await downloadDiscardingBody(client, request) }
                #expect(error?.field == field)
            }
            #expect(server.requests.isEmpty)
        }
    }

    @Test(arguments: [
        "\(sampleDocument)&fileId=x", "\(sampleDocument)#x", "55a6f0cf-0000-4000-8000-796d02cb097%", "55a6f0cf-0000-4000-8000 796d02cb0977",
        "55a6f0cf-0000-4000-8000-796d02cb097\u{0}", "55a6f0cf-0000-4000-8000-796d02cb097\n", "٥٥a6f0cf-0000-4000-8000-796d02cb0977", "",
    ])
    func aDocumentIDThatIsNotAUUIDIsRefused(_ documentID: String) async throws {
        try await withRecordingServer { client, server in
            let error = await expectError(.invalidRequest) {
                try await downloadDiscardingBody(client, ImageRequest(documentID: documentID, signer: alex, fileID: frontFile))
            }
            #expect(error?.field == "documentId")
            #expect(server.requests.isEmpty)
        }
    }
}
