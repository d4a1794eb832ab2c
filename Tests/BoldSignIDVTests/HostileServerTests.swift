@testable import BoldSignIDV
import Foundation
import SystemPackage
import TestSupport
import Testing

/// A server that lies, floods or misdirects: the client fails with a clear error, delivers no file,
/// and never hands the credentials to anyone else.
@Suite struct HostileServerTests {
    private let request = ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile)
    private let key = "hostile-test-key-3f9a1c"
    private let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x42, count: 4092)

    private func withClient<T: Sendable>(
        _ server: ScriptedHTTPServer, configure: (inout Configuration) -> Void = { _ in },
        _ body: (BoldSignClient) async throws -> T
    ) async throws -> T {
        var configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey(key))
        configuration.retry.maxAttempts = 1
        configure(&configuration)
        return try await withBoldSignClient(configuration: configuration, body)
    }

    @Test func aContentLengthLargerThanTheBodyIsAConnectionFailureAndTheOldFileSurvives() async throws {
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(
            ["HTTP/1.1 200 OK", "Content-Type: image/jpeg", "Content-Length: 100000"], body: jpeg))
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let destination = directory.path + "/front.jpg"
        try Data("previous image".utf8).write(to: URL(fileURLWithPath: destination))
        _ = try await withClient(server) { client in
            await expectError(.connectionFailed) {
                try await client.downloadImage(request, to: FilePath(destination), replaceExisting: true)
            }
        }
        #expect(try String(contentsOfFile: destination, encoding: .utf8) == "previous image")
        #expect(directoryEntries(directory.path) == ["front.jpg"])
    }

    @Test func headersOfSeveralHundredKiBAreSurvivedAndTheImageIsIntact() async throws {
        let filler = (0..<300).map { "X-Filler-\($0): " + String(repeating: "f", count: 1000) }
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(
            ["HTTP/1.1 200 OK", "Content-Type: image/jpeg"] + filler + ["Content-Length: \(jpeg.count)"], body: jpeg))
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let download = try await withClient(server) { client in
            try await client.downloadImage(request, to: FilePath(directory.path + "/front.jpg"))
        }
        #expect(download.bytesWritten == Int64(jpeg.count))
        #expect(try Data(contentsOf: URL(fileURLWithPath: directory.path + "/front.jpg")) == Data(jpeg))
    }

    @Test func aSingleHeaderLineOfAQuarterMiBIsRefusedWithoutAFile() async throws {
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(
            ["HTTP/1.1 200 OK", "X-Huge: " + String(repeating: "h", count: 256 * 1024), "Content-Length: \(jpeg.count)"], body: jpeg))
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        _ = try await withClient(server) { client in
            await expectError(.transportFailed) {
                try await client.downloadImage(request, to: FilePath(directory.path + "/front.jpg"))
            }
        }
        #expect(directoryEntries(directory.path).isEmpty)
    }

    @Test func aRedirectToAnotherHostIsNotFollowedAndTheKeyNeverReachesIt() async throws {
        let elsewhere = try ScriptedHTTPServer(respondingWith: .httpResponse(["HTTP/1.1 200 OK", "Content-Length: \(jpeg.count)"], body: jpeg))
        defer { elsewhere.stop() }
        let redirecting = try ScriptedHTTPServer(respondingWith: .httpResponse(
            ["HTTP/1.1 307 Temporary Redirect", "Location: http://localhost:\(elsewhere.port)/steal", "Content-Length: 0"]))
        defer { redirecting.stop() }
        let directory = try TemporaryDirectory()
        let error = try await withClient(redirecting) { client in
            await expectError(.unexpectedStatus) {
                try await client.downloadImage(request, to: FilePath(directory.path + "/front.jpg"))
            }
        }
        #expect(error?.status == 307)
        #expect(redirecting.requests.count == 1)
        #expect(redirecting.requests.first?.contains("X-API-KEY: \(key)") == true)
        #expect(elsewhere.requests.isEmpty)
        #expect(directoryEntries(directory.path).isEmpty)
    }

    @Test func aJSONBodyWithStatus200IsRefusedWhenTheFormatIsChecked() async throws {
        let json = Array(#"{"error":"Identity verification is not completed"}"#.utf8)
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(
            ["HTTP/1.1 200 OK", "Content-Type: application/json", "Content-Length: \(json.count)"], body: json))
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let error = try await withClient(server, configure: { $0.requireImageFormat = true }) { client in
            await expectError(.notAnImage) {
                try await client.downloadImage(request, to: FilePath(directory.path + "/front.jpg"))
            }
        }
        #expect(error?.status == 200)
        #expect(error?.description.contains("application/json") == true)
        #expect(directoryEntries(directory.path).isEmpty)

        // Unchecked (the default), the same body is delivered and reported as `.other`.
        let download = try await withClient(server) { client in
            try await client.downloadImage(request, to: FilePath(directory.path + "/front.bin"))
        }
        #expect(download.format == .other)
        #expect(download.bytesWritten == Int64(json.count))
    }

    /// The error for a 403 whose body is `body`.
    private func forbiddenError(body: [UInt8], contentType: String) async throws -> BoldSignError? {
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(
            ["HTTP/1.1 403 Forbidden", "Content-Type: \(contentType)", "Content-Length: \(body.count)"], body: body))
        defer { server.stop() }
        return try await withClient(server) { client in
            await expectError(.forbidden) { try await downloadDiscardingBody(client, request) }
        }
    }

    @Test func invalidUTF8InAnErrorBodyBecomesReplacementCharacters() async throws {
        let body: [UInt8] = Array(#"{"error":"Invalid "#.utf8) + [0xFF, 0xFE, 0xC3] + Array(#" file"}"#.utf8)
        let error = try await forbiddenError(body: body, contentType: "application/json")
        let message = try #require(error?.serverMessage)
        #expect(message.hasPrefix("Invalid "))
        #expect(message.hasSuffix(" file"))
        #expect(message.contains("\u{FFFD}"))
    }

    @Test func controlCharactersInAServerMessageDoNotReachTheErrorText() async throws {
        let error = try await forbiddenError(body: Array("denied\u{1B}[31m\r\nX-Injected: yes".utf8), contentType: "text/plain")
        let text = try #require(error?.description)
        #expect(!text.unicodeScalars.contains { $0.properties.generalCategory == .control })
    }
}
