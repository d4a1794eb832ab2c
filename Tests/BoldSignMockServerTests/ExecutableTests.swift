import BoldSignMockServer
import Foundation
import TestSupport
import Testing

/// `boldsign-mock` as an operator runs it.
@Suite struct ExecutableTests {
    private var executable: String { TestPaths.product("boldsign-mock") }

    @Test func printsItsAddressFirstAndStopsCleanlyOnSIGTERMAndSIGINT() async throws {
        for signal in [SIGTERM, SIGINT] {
            let server = try await MockServerProcess.start(["--port", "0"])
            #expect(server.baseURL.hasPrefix("http://127.0.0.1:"))
            let curl = CurlCLI(baseURL: server.baseURL)
            #expect(try await curl.post(reportPath(sampleDocument), json: #"{"emailId":"alex.gayle@example.com"}"#).status == 200)
            let stopped = await server.stop(signal: signal)
            #expect(stopped.status == 0)
            #expect(stopped.stderr.contains("shutting down"))
        }
    }

    @Test func theSampleImagesAreTheCommittedFilesWithTheirPublishedHashes() async throws {
        let directory = try TemporaryDirectory()
        for image in SampleImage.allCases {
            let path = directory.path + "/" + image.rawValue
            try Data(image.bytes).write(to: URL(fileURLWithPath: path))
            #expect(try await ChildProcess.sha256(ofFile: path) == image.sha256, "\(image)")
            let committed = TestPaths.packageRoot + "/Sources/BoldSignMockServer/SampleImages/\(image.rawValue).\(image.format == .png ? "png" : "jpg")"
            #expect(FileManager.default.contents(atPath: committed) == Data(image.bytes), "\(image)")
        }
    }

    @Test func servesAFixturesFileWithItsOwnCredentialsAndRateLimit() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/fixtures.json"
        try Data(#"""
            {"credentials": {"apiKeys": ["ci-key"]},
             "documents": [{"id": "11111111-2222-4333-8444-555555555555", "signers": [
                {"emailId": "ci@example.com", "files": [{"id": "only", "format": "png", "size": 1000, "seed": 5}]}]}]}
            """#.utf8).write(to: URL(fileURLWithPath: path))
        let server = try await MockServerProcess.start(["--port", "0", "--fixtures", path, "--rate-limit", "1", "--rate-window", "3600"])
        let curl = CurlCLI(baseURL: server.baseURL)
        let body = #"{"emailId":"ci@example.com","fileId":"only"}"#
        let ok = try await curl.post(imagePath("11111111-2222-4333-8444-555555555555"), json: body, headers: ["X-API-KEY: ci-key"])
        let limited = try await curl.post(imagePath("11111111-2222-4333-8444-555555555555"), json: body, headers: ["X-API-KEY: ci-key"])
        let defaultKey = try await curl.post(imagePath("11111111-2222-4333-8444-555555555555"), json: body)
        _ = await server.stop()
        #expect(ok.status == 200 && ok.body.count == 1000 && ok.headers["content-type"] == "image/png")
        #expect(limited.status == 429)
        #expect(defaultKey.status == 401)
    }

    @Test func aBadFixturesFileIsAClearErrorAndExitCode2() async throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/bad.json"
        try Data(#"{"credentials": {"apiKeys": ["k"]}, "documents": [{"id": 5}]}"#.utf8).write(to: URL(fileURLWithPath: path))
        let run = try await ChildProcess.run(executable, ["--port", "0", "--fixtures", path])
        #expect(run.status == 2)
        #expect(run.stderr.contains(path) && run.stderr.contains("documents[0].id"))
        let missing = try await ChildProcess.run(executable, ["--port", "0", "--fixtures", directory.path + "/missing.json"])
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("cannot read fixtures file"))
    }

    @Test func aPortInUseIsAClearErrorAndNonZeroExit() async throws {
        try await withServer { server, _ in
            let run = try await ChildProcess.run(executable, ["--port", String(server.port)])
            #expect(run.status == 1)
            #expect(run.stderr.contains("already in use"))
        }
    }

    @Test func generateWritesTheBodyOfAFixtureFile() async throws {
        let run = try await ChildProcess.run(executable, ["generate", "--file-id", frontFile])
        #expect(run.status == 0)
        let file = try #require(MockFixtures.default.documents[0].signers[0].files.first)
        #expect([UInt8](run.stdout) == file.generator.bytes(in: 0..<file.size))
        let unknown = try await ChildProcess.run(executable, ["generate", "--file-id", "nope"])
        #expect(unknown.status == 2 && unknown.stderr.contains("no file with id nope"))
    }
}
