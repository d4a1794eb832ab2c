import BoldSignMockServer
import Foundation
import TestSupport
import Testing

/// Big bodies, framing, and the server's memory while it streams them.
@Suite(.serialized) struct LargeBodyTests {
    private let request = ["-X", "POST", "-H", "X-API-KEY: test-api-key", "-H", "Content-Type: application/json"]
    private func body(_ file: String) -> String { #"{"emailId":"bulk@example.com","fileId":"\#(file)"}"# }

    @Test func aGibibyteBodyIsExactAndTheServersMemoryStaysFlat() async throws {
        let server = try await MockServerProcess.start(["--port", "0"])
        let url = server.baseURL + imagePath(largeDocument)
        // Warm up (allocator pools, first connection), then measure the peak across the big body.
        let warm = try await ChildProcess.run("/usr/bin/curl", ["-sS", "-o", "/dev/null"] + request + ["-d", body("image-1m"), url])
        #expect(warm.status == 0)
        let before = try #require(ProcessMemory.peakRSS(pid: server.pid))
        let run = try await ChildProcess.shell(
            "curl -sS -f " + (request + ["-d", body("image-1g")]).map { "'\($0)'" }.joined(separator: " ") + " '\(url)' | sha256sum")
        let after = try #require(ProcessMemory.peakRSS(pid: server.pid))
        let stopped = await server.stop()
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.text.prefix(64) == MockFixtures.defaultSHA256["image-1g"]?[...])
        #expect(after - before < 20 << 20, "server peak RSS grew by \(after - before) bytes")
        #expect(stopped.status == 0)
    }

    @Test func contentLengthAndChunkedFramingBothCarryTheExactBody() async throws {
        try await withServer { _, curl in
            let directory = try TemporaryDirectory()
            for (file, chunked) in [("image-1m", false), ("image-1m-chunked", true)] {
                let path = directory.path + "/" + file
                let response = try await curl.post(imagePath(largeDocument), json: body(file), output: path)
                #expect(response.status == 200)
                if chunked {
                    #expect(response.headers["transfer-encoding"] == "chunked")
                    #expect(response.headers["content-length"] == nil)
                    #expect(response.headers["content-type"] == "image/png")
                } else {
                    #expect(response.headers["content-length"] == String(1 << 20))
                    #expect(response.headers["transfer-encoding"] == nil)
                }
                #expect(try await ChildProcess.sha256(ofFile: path) == MockFixtures.defaultSHA256[file])
            }
        }
    }

    @Test func publishedHashesMatchTheGenerateCommand() async throws {
        let generate = TestPaths.product("boldsign-mock")
        let run = try await ChildProcess.shell("'\(generate)' generate --file-id image-1m-chunked | sha256sum")
        #expect(run.text.prefix(64) == MockFixtures.defaultSHA256["image-1m-chunked"]?[...])
    }
}

/// HTTPS with the committed test PKI.
@Suite struct TLSTests {
    private var tls: MockServer.Configuration.TLS {
        .init(certificateChainPath: TestPaths.certificates + "/server.pem", privateKeyPath: TestPaths.certificates + "/server.key")
    }

    @Test func servesHTTPSTrustedThroughTheTestCA() async throws {
        try await withServer(.init(tls: tls)) { server, _ in
            #expect(server.baseURL.hasPrefix("https://127.0.0.1:"))
            for host in ["127.0.0.1", "localhost"] {
                let curl = CurlCLI(baseURL: "https://\(host):\(server.port)", extraArguments: ["--cacert", TestPaths.certificates + "/ca.pem"])
                let response = try await curl.post(imagePath(sampleDocument), json: #"{"emailId":"alex.gayle@example.com","fileId":"\#(frontFile)"}"#)
                #expect(response.exitCode == 0, "\(response.stderr)")
                #expect(response.status == 200 && response.body.count == SampleImage.idCardFront.bytes.count)
            }
        }
    }

    @Test func aClientWithoutTheTestCARejectsTheCertificate() async throws {
        try await withServer(.init(tls: tls)) { _, curl in
            let response = try await curl.post(imagePath(sampleDocument), json: "{}")
            #expect(response.exitCode == 60)  // CURLE_PEER_FAILED_VERIFICATION
            #expect(response.status == 0)
        }
    }

    @Test func unreadableTLSFilesAreAClearStartError() async throws {
        await #expect {
            _ = try await MockServer.start(.init(tls: .init(certificateChainPath: "/nonexistent.pem", privateKeyPath: "/nonexistent.key")))
        } throws: { error in
            (error as? MockServer.StartError)?.description.contains("/nonexistent.pem") == true
        }
    }
}
