import BoldSignMockServer
import Foundation
import TestSupport
import Testing

/// The built `boldsign-idv` binary, run as a user would, against the mock.
@Suite struct CLITests {
    static let key = "cli-secret-key-5f3a9"
    static let fixtures: MockFixtures = {
        var fixtures = MockFixtures.default
        fixtures.credentials.apiKeys.append(key)
        fixtures.documents[1].signers[0].files.append(.init(id: "small", format: .png, size: 3000, seed: 77))
        fixtures.documents[1].signers[0].files.append(.init(id: "slow", size: 3000, seed: 78, fault: .init(latencyMilliseconds: 60)))
        // The first request's connection closes three quarters of the way through; the retry gets it all.
        fixtures.documents[1].signers[0].files.append(
            .init(id: "drop-once", size: 1 << 20, seed: 79, fault: .init(closeAfterBytes: 768 * 1024, firstRequests: 1)))
        return fixtures
    }()

    private func cli(_ arguments: [String], server: MockServer, key: String = CLITests.key) async throws -> ChildProcess.Output {
        try await ChildProcess.run(TestPaths.product("boldsign-idv"), arguments,
                                   environment: ["BOLDSIGN_API_KEY": key, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin"])
    }

    /// Writes a JSON Lines manifest of `count` items of the bulk signer's `fileID`, the n-th going to `output(n)`.
    private func writeManifest(_ path: String, count: Int, fileID: String, output: (Int) -> String) throws {
        let lines = (0..<count).map {
            #"{"documentId":"\#(MockFixtures.largeDocumentID)","emailId":"bulk@example.com","fileId":"\#(fileID)","output":"\#(output($0))"}"#
        }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: path))
    }

    private func json(_ output: ChildProcess.Output) -> [String: Any]? {
        (try? JSONSerialization.jsonObject(with: output.stdout)) as? [String: Any]
    }

    private func withServer(_ configuration: MockServer.Configuration = .init(fixtures: CLITests.fixtures),
                            _ body: (MockServer) async throws -> Void) async throws {
        let server = try await MockServer.start(configuration)
        do { try await body(server) } catch { try? await server.shutdown(); throw error }
        try await server.shutdown()
    }

    @Test func imageToAFileAndToStdoutWithJSON() async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let path = directory.path + "/one.jpg"
            let run = try await cli(["image", "--document-id", MockFixtures.largeDocumentID, "--email", "bulk@example.com",
                                     "--file-id", "image-1m", "--output", path, "--json"], server: server)
            #expect(run.status == 0, "\(run.stderr)")
            let result = try #require(json(run))
            #expect(result["bytes"] as? Int == 1 << 20 && result["format"] as? String == "jpeg" && result["exitCode"] as? Int == 0)
            #expect(try await ChildProcess.sha256(ofFile: path) == MockFixtures.defaultSHA256["image-1m"])
            let mode = try #require(try permissions(ofFile: path))
            #expect(mode & 0o777 == 0o600)

            let piped = try await ChildProcess.shell(
                "'\(TestPaths.product("boldsign-idv"))' image --document-id \(MockFixtures.largeDocumentID) --email bulk@example.com "
                    + "--file-id image-1m --output - | sha256sum",
                environment: ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin"])
            #expect(piped.text.prefix(64) == MockFixtures.defaultSHA256["image-1m"]?[...])

            let again = try await cli(["image", "--document-id", MockFixtures.largeDocumentID, "--email", "bulk@example.com",
                                       "--file-id", "image-1m", "--output", path], server: server)
            #expect(again.status == 73)
            #expect(again.stderr.contains("exists"))

            // --json and --output - would both write to stdout: refused before anything is sent.
            let requestsBefore = server.statistics.requests
            let both = try await cli(["image", "--document-id", MockFixtures.largeDocumentID, "--email", "bulk@example.com",
                                      "--file-id", "image-1m", "--output", "-", "--json"], server: server)
            #expect(both.status == 64)
            #expect(both.stdout.isEmpty)
            #expect(both.stderr.contains("--json"), "\(both.stderr)")
            #expect(server.statistics.requests == requestsBefore)
        }
    }

    /// `>> archive.bin` opens the file for appending at offset 0: a retry once truncated it to that offset,
    /// wiping what the file held before.
    @Test func anImageAppendedToAFileThroughAShellSurvivesARetryWithTheFileIntact() async throws {
        let server = try await MockServer.start(.init(fixtures: Self.fixtures))
        defer { Task { try? await server.shutdown() } }
        let directory = try TemporaryDirectory()
        let archive = directory.path + "/archive.bin"
        let before = Data(repeating: 0x61, count: 2700)
        try before.write(to: URL(fileURLWithPath: archive))
        let run = try await ChildProcess.run("/bin/sh", [
            "-c", #"exec "$0" image --document-id "$1" --email bulk@example.com --file-id drop-once --output - --retries 1 >> "$2""#,
            TestPaths.product("boldsign-idv"), MockFixtures.largeDocumentID, archive,
        ], environment: ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(server.requestLog.count == 2, "the cut-short first response should have been retried")
        let file = try #require(Self.fixtures.documents[1].signers[0].files.first { $0.id == "drop-once" })
        let expected = before + Data(file.generator.bytes(in: 0..<(1 << 20)))
        let after = try Data(contentsOf: URL(fileURLWithPath: archive))
        #expect(after.count == expected.count)
        let exact = after == expected
        #expect(exact, "the archive holds its 2,700 bytes, then the image, and nothing of the first attempt")
    }

    /// `http_proxy` in the environment: a loopback base URL still goes straight to the server, and the proxy
    /// never receives the request with its `X-API-KEY` in clear text.
    @Test func httpProxyInTheEnvironmentNeverSeesAPlainHTTPRequest() async throws {
        let server = try await MockServer.start(.init(fixtures: Self.fixtures))
        defer { Task { try? await server.shutdown() } }
        let proxy = try ScriptedHTTPServer(respondingWith: .httpResponse(["HTTP/1.1 502 Bad Gateway", "Content-Length: 0"]))
        defer { proxy.stop() }
        let directory = try TemporaryDirectory()
        let run = try await ChildProcess.run(TestPaths.product("boldsign-idv"), [
            "image", "--document-id", MockFixtures.largeDocumentID, "--email", "bulk@example.com", "--file-id", "small",
            "--output", directory.path + "/small.png",
        ], environment: ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin",
                         "http_proxy": proxy.baseURL, "HTTPS_PROXY": proxy.baseURL, "ALL_PROXY": proxy.baseURL])
        #expect(run.status == 0, "\(run.stderr)")
        #expect(proxy.requests.isEmpty)
        #expect(server.requestLog.count == 1)
    }

    @Test func reportAndFetchAll() async throws {
        try await withServer { server in
            let report = try await cli(["report", "--document-id", MockFixtures.sampleDocumentID, "--email", "alex.gayle@example.com"], server: server)
            #expect(report.status == 0)
            let body = try #require(json(report))
            #expect((body["document"] as? [String: Any])?["selfieFile"] as? String == "c1d7e0a4-2f3b-4e59-b6a8-1f0e9d8c7b6a")
            #expect(body["verifiedDate"] as? String == "2026-01-15T10:30:00Z")

            let directory = try TemporaryDirectory()
            let fetch = try await cli(["fetch-all", "--document-id", MockFixtures.sampleDocumentID, "--email", "alex.gayle@example.com",
                                       "--output-dir", directory.path + "/images", "--json"], server: server)
            #expect(fetch.status == 0, "\(fetch.stderr)")
            let files = try #require(json(fetch)?["files"] as? [[String: Any]])
            #expect(files.compactMap { $0["role"] as? String } == ["document-1", "document-2", "selfie"])
            let refetch = try await cli(["fetch-all", "--document-id", MockFixtures.sampleDocumentID, "--email", "alex.gayle@example.com",
                                         "--output-dir", directory.path + "/images", "--json"], server: server)
            #expect((json(refetch)?["files"] as? [[String: Any]])?.allSatisfy { $0["skipped"] as? Bool == true } == true)
            #expect(server.statistics.imageRequests == 3)
        }
    }

    @Test func embeddedURLPrintsTheLinkOrExits65ForASignerWhoseVerificationDidNotFail() async throws {
        try await withServer { server in
            let link = try await cli(["embedded-url", "--document-id", MockFixtures.sampleDocumentID, "--email", "failed.check@example.com",
                                      "--order", "3", "--redirect-url", "https://example.com/reviewed"], server: server)
            #expect(link.status == 0, "\(link.stderr)")
            #expect(link.text.hasPrefix("https://") && link.text.hasSuffix("\n") && link.text.split(separator: "\n").count == 1)
            let asJSON = try await cli(["embedded-url", "--document-id", MockFixtures.sampleDocumentID, "--email", "failed.check@example.com",
                                        "--order", "3", "--json"], server: server)
            #expect((json(asJSON)?["url"] as? String)?.hasPrefix("https://") == true)
            let verified = try await cli(["embedded-url", "--document-id", MockFixtures.sampleDocumentID, "--email", "alex.gayle@example.com"],
                                         server: server)
            #expect(verified.status == 65 && verified.stderr.contains("400"), "\(verified.stderr)")
            let badRedirect = try await cli(["embedded-url", "--document-id", MockFixtures.sampleDocumentID, "--email", "failed.check@example.com",
                                             "--order", "3", "--redirect-url", "not-a-url"], server: server)
            #expect(badRedirect.status == 65 && badRedirect.stderr.contains("redirectUrl"))
        }
    }

    @Test(arguments: [
        (["--file-id", "no-such-file"], [String: String](), 77),
        (["--file-id", "image-1m"], ["BOLDSIGN_API_KEY": "wrong-key"], 77),
        (["--file-id", "image-1m", "--document-id", "nope"], [:], 65),
        (["--file-id", "image-1m"], ["BOLDSIGN_BASE_URL": "http://127.0.0.1:1"], 69),
        (["--file-id", "image-1m", "--base-url", "http://10.1.2.3"], [:], 65),
    ] as [([String], [String: String], Int32)])
    func exitCodesFollowRealConditions(extra: [String], environment: [String: String], expected: Int32) async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            var arguments = ["image", "--document-id", MockFixtures.largeDocumentID, "--email", "bulk@example.com", "--retries", "0",
                             "--output", directory.path + "/x"]
            if let index = extra.firstIndex(of: "--document-id") {
                arguments[2] = extra[index + 1]
                arguments += extra.filter { $0 != "--document-id" && $0 != extra[index + 1] }
            } else {
                arguments += extra
            }
            var env = ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin"]
            env.merge(environment) { $1 }
            let run = try await ChildProcess.run(TestPaths.product("boldsign-idv"), arguments, environment: env)
            #expect(run.status == expected, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("boldsign-idv: "))
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/x"))
        }
    }

    @Test(arguments: [
        ("/not-the-api", "image-1m", "", Int32(66)),
        ("", "server-error", "", 70),
        ("", "rate-limited", "", 75),
        ("", "image-1m", "> /dev/full", 74),
    ])
    func moreExitCodesFromRealConditions(prefix: String, fileID: String, redirect: String, expected: Int32) async throws {
        try await withServer { server in
            let document = fileID.hasPrefix("image") ? MockFixtures.largeDocumentID : MockFixtures.faultDocumentID
            let email = fileID.hasPrefix("image") ? "bulk@example.com" : "faults@example.com"
            let run = try await ChildProcess.shell(
                "'\(TestPaths.product("boldsign-idv"))' image --base-url '\(server.baseURL)\(prefix)' --document-id \(document) "
                    + "--email \(email) --file-id \(fileID) --retries 0 --output - \(redirect.isEmpty ? "> /dev/null" : redirect)",
                environment: ["BOLDSIGN_API_KEY": Self.key, "PATH": "/usr/bin:/bin"])
            #expect(run.status == expected, "\(run.stderr)")
            #expect(run.stderr.hasPrefix("boldsign-idv: "))
        }
    }

    @Test func requireImageTurnsAJSONBodyWithStatus200IntoExit70AndNoFile() async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let arguments = ["image", "--document-id", MockFixtures.faultDocumentID, "--email", "faults@example.com", "--file-id", "json-with-200"]
            let checked = try await cli(arguments + ["--output", directory.path + "/checked.jpg", "--require-image"], server: server)
            #expect(checked.status == 70, "\(checked.stderr)")
            #expect(checked.stderr.contains("not an image"))
            #expect(!FileManager.default.fileExists(atPath: directory.path + "/checked.jpg"))
            let unchecked = try await cli(arguments + ["--output", directory.path + "/unchecked.bin"], server: server)
            #expect(unchecked.status == 0, "\(unchecked.stderr)")
            #expect(FileManager.default.fileExists(atPath: directory.path + "/unchecked.bin"))
        }
    }

    @Test func theServersMessageIsPrintedAndUsageErrorsExit64() async throws {
        try await withServer { server in
            let run = try await cli(["image", "--document-id", MockFixtures.largeDocumentID, "--email", "bulk@example.com",
                                     "--file-id", "no-such-file", "--output", "/tmp/never"], server: server)
            #expect(run.stderr.contains("Invalid file ID."))
            let usage = try await cli(["image", "--document-id", MockFixtures.largeDocumentID, "--email", "a@b.c", "--phone", "1",
                                       "--file-id", "x", "--output", "/tmp/never"], server: server)
            #expect(usage.status == 64)
            let noKey = try await ChildProcess.run(TestPaths.product("boldsign-idv"), ["image", "--document-id", MockFixtures.largeDocumentID,
                "--email", "a@b.c", "--file-id", "x", "--output", "/tmp/never"], environment: ["PATH": "/usr/bin:/bin"])
            #expect(noKey.status == 64 && noKey.stderr.contains("BOLDSIGN_API_KEY"))
        }
    }

    @Test func aRequestPastItsTimeoutExits69AndATimeoutOutOfRangeIsAUsageError() async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let image = ["image", "--document-id", MockFixtures.faultDocumentID, "--email", "faults@example.com", "--file-id", "latency",
                         "--output", directory.path + "/late.jpg"]
            // The server answers after 1.5 s.
            let late = try await cli(image + ["--timeout", "0.3"], server: server)
            #expect(late.status == 69 && late.stderr.contains("timed out"), "\(late.status) \(late.stderr)")
            for value in ["0", "-1", "1e30"] {
                #expect(try await cli(image + ["--timeout", value], server: server).status == 64, "--timeout \(value)")
            }
            #expect(try await cli(image + ["--timeout", "30"], server: server).status == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["late.jpg"])
        }
    }

    @Test func theAPIKeyNeverAppearsInAnyOutputEvenVerbose() async throws {
        var fixtures = Self.fixtures
        fixtures.documents[2].signers[0].files.append(.init(id: "echo", size: 1, fault: .init(respond: .init(
            status: 403, body: #"{"error":"key \#(Self.key) refused"}"#))))
        try await withServer(.init(fixtures: fixtures)) { server in
            let directory = try TemporaryDirectory()
            let manifest = directory.path + "/m.jsonl"
            try Data(("""
                {"documentId":"\(MockFixtures.faultDocumentID)","emailId":"faults@example.com","fileId":"echo"}
                {"documentId":"\(MockFixtures.largeDocumentID)","emailId":"bulk@example.com","fileId":"small"}
                """).utf8).write(to: URL(fileURLWithPath: manifest))
            var outputs: [ChildProcess.Output] = []
            outputs.append(try await cli(["batch", manifest, "--output-dir", directory.path + "/out", "--verbose", "--json",
                                          "--report-file", directory.path + "/report.jsonl"], server: server))
            outputs.append(try await cli(["image", "--document-id", MockFixtures.faultDocumentID, "--email", "faults@example.com",
                                          "--file-id", "echo", "--output", directory.path + "/e", "--verbose"], server: server))
            outputs.append(try await cli(["report", "--document-id", MockFixtures.sampleDocumentID, "--email", "alex.gayle@example.com",
                                          "--verbose", "--json"], server: server))
            for output in outputs {
                #expect(!output.text.contains(Self.key) && !output.stderr.contains(Self.key))
            }
            #expect(outputs[1].stderr.contains("<redacted>"))
            #expect(outputs[0].stderr.contains("boldsign request"))  // --verbose did log
            let report = try String(contentsOfFile: directory.path + "/report.jsonl", encoding: .utf8)
            #expect(!report.contains(Self.key))
            // argv never carried it either: the mock saw it only in the header.
            #expect(server.requestLog.allSatisfy { !$0.uri.contains(Self.key) && !$0.body.contains(Self.key) })
        }
    }

    @Test func batchWithCSVJSONAndAReportFileAndNoProgressBarWhenNotATerminal() async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let manifest = directory.path + "/m.csv"
            var lines = ["documentId,emailId,countryCode,phoneNumber,order,fileId,onBehalfOf,output"]
            for index in 0..<20 { lines.append("\(MockFixtures.largeDocumentID),bulk@example.com,,,1,small,,\"nested/\(index),x.png\"") }
            lines.append("\(MockFixtures.sampleDocumentID),,+1,5550100123,2,9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d,sender@example.com,")
            lines.append("\(MockFixtures.largeDocumentID),bulk@example.com,,,1,no-such-file,,bad.png")
            try Data(lines.joined(separator: "\r\n").utf8).write(to: URL(fileURLWithPath: manifest))
            let run = try await cli(["batch", manifest, "--output-dir", directory.path + "/out", "--concurrency", "4", "--json",
                                     "--report-file", directory.path + "/report.jsonl"], server: server)
            #expect(run.status == 3, "\(run.stderr)")
            let summary = try #require(json(run))
            #expect(summary["downloaded"] as? Int == 21 && summary["failed"] as? Int == 1 && summary["status"] as? String == "partial")
            #expect(!run.stderr.contains("\r") && !run.stderr.contains("ETA"))
            let report = try String(contentsOfFile: directory.path + "/report.jsonl", encoding: .utf8).split(separator: "\n")
            #expect(report.count == 22)
            #expect(FileManager.default.fileExists(atPath: directory.path + "/out/nested/7,x.png"))
            #expect(FileManager.default.fileExists(atPath: directory.path + "/out/\(MockFixtures.sampleDocumentID)_9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d"))
        }
    }

    @Test func aTerminalGetsAProgressBarOnStderr() async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let manifest = directory.path + "/m.jsonl"
            try writeManifest(manifest, count: 12, fileID: "small") { "\($0).png" }
            // script(1) gives the command a pseudo-terminal; stdout goes to a file, so what the terminal shows is stderr.
            let command = "'\(TestPaths.product("boldsign-idv"))' batch '\(manifest)' --output-dir '\(directory.path)/out' > /dev/null"
            let run = try await ChildProcess.run("/usr/bin/script", ["-q", "-e", "-c", command, "/dev/null"],
                                                 environment: ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL, "PATH": "/usr/bin:/bin"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(run.text.contains("12/12 items") && run.text.contains("ETA"), "\(run.text)")
        }
    }

    @Test(arguments: [
        ("documentId,emailId,fileId,output\nX,a@b.c,f,../escape.png\n", "line 2"),
        ("documentId,emailId,fileId,output\n\(MockFixtures.largeDocumentID),a@b.c,f,/etc/passwd\n", "relative path"),
        ("documentId,emailId,fileId,output\n\(MockFixtures.largeDocumentID),a@b.c,f,../escape.png\n", "relative path"),
        ("documentId,emailId,fileId\n\(MockFixtures.largeDocumentID),a@b.c\n", "2 fields"),
        ("{\"documentId\": 5\n", "not a JSON object"),
        ("{\"documentId\":\"\(MockFixtures.largeDocumentID)\",\"fileId\":\"f\"}\n", "emailId"),
        ("documentId,emailId,fileId,colour\n\(MockFixtures.largeDocumentID),a@b.c,f,red\n", "unknown field colour"),
        ("documentId,emailId,fileId,output\n\(MockFixtures.largeDocumentID),a@b.c,f,\"same\n\(MockFixtures.largeDocumentID),a@b.c,g,same\n", "unterminated"),
        ("documentId,emailId,fileId,output\n\(MockFixtures.largeDocumentID),a@b.c,f,same\n\(MockFixtures.largeDocumentID),a@b.c,g,same\n", "used twice"),
    ])
    func invalidManifestsExit65NamingTheLine(manifest: String, expected: String) async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let path = directory.path + (manifest.hasPrefix("{") ? "/m.jsonl" : "/m.csv")
            try Data(manifest.utf8).write(to: URL(fileURLWithPath: path))
            let run = try await cli(["batch", path, "--output-dir", directory.path + "/out"], server: server)
            #expect(run.status == 65)
            #expect(run.stderr.contains(expected), "\(run.stderr)")
            #expect(server.statistics.requests == 0)
        }
    }

    /// The manifest is read and the output tree made with plain syscalls; what they refuse is named.
    @Test func anUnreadableManifestOrABlockedOutputDirectoryIsNamedAndNothingIsFetched() async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let missing = try await cli(["batch", directory.path + "/none.jsonl", "--output-dir", directory.path + "/out"], server: server)
            #expect(missing.status == 65)
            #expect(missing.stderr.contains("cannot read manifest \(directory.path)/none.jsonl: No such file or directory"), "\(missing.stderr)")
            let notAFile = try await cli(["batch", directory.path, "--output-dir", directory.path + "/out"], server: server)
            #expect(notAFile.status == 65)
            #expect(notAFile.stderr.contains("Is a directory"), "\(notAFile.stderr)")

            let manifest = directory.path + "/m.jsonl"
            try writeManifest(manifest, count: 2, fileID: "small") { "deep/er/\($0).png" }
            try Data("in the way".utf8).write(to: URL(fileURLWithPath: directory.path + "/file"))
            let blocked = try await cli(["batch", manifest, "--output-dir", directory.path + "/file/out"], server: server)
            #expect(blocked.status == 74)
            #expect(blocked.stderr.contains("cannot create directory ") && blocked.stderr.contains("/file/out: Not a directory"), "\(blocked.stderr)")
            #expect(server.statistics.requests == 0)

            let run = try await cli(["batch", manifest, "--output-dir", directory.path + "/new/out"], server: server)
            #expect(run.status == 0, "\(run.stderr)")
            for path in ["/new", "/new/out", "/new/out/deep", "/new/out/deep/er"] {
                #expect(try permissions(ofFile: directory.path + path) == 0o700, "\(path)")
            }
        }
    }

    @Test func aBatchKilledWithSIGKILL20TimesResumesWithoutRedownloadingOrPartialFiles() async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let manifest = directory.path + "/m.jsonl", out = directory.path + "/out"
            let count = 200
            try writeManifest(manifest, count: count, fileID: "slow") { "\($0).jpg" }
            let expected = try #require(Self.fixtures.documents[1].signers[0].files.first { $0.id == "slow" }).generator.bytes(in: 0..<3000)
            /// The images in `out`; every one must be whole, and nothing hidden may be there.
            func finishedImages(after round: Int) throws -> [String] {
                let entries = (try? FileManager.default.contentsOfDirectory(atPath: out)) ?? []
                #expect(!entries.contains { $0.hasPrefix(".") }, "round \(round) left behind: \(entries.filter { $0.hasPrefix(".") })")
                for name in entries where !name.hasPrefix(".") {
                    #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: out + "/" + name))) == expected, "round \(round): \(name)")
                }
                return entries.filter { !$0.hasPrefix(".") }
            }
            for round in 1...20 {
                // Anywhere from before the first request to a dozen images in, and anywhere within a download.
                let target = server.statistics.imagesServed + Int.random(in: 0...12)
                let delay = useconds_t.random(in: 0...40_000)
                let process = try SpawnedProcess(TestPaths.product("boldsign-idv"),
                                                 ["batch", manifest, "--output-dir", out, "--concurrency", "4", "--quiet"],
                                                 environment: ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL])
                // Watched from a thread of its own: a poll on the cooperative pool, which the tests running
                // beside this one can keep busy, once woke only after the whole batch had finished.
                let termination = try await onDedicatedThread {
                    while server.statistics.imagesServed < target, process.isRunning { usleep(2_000) }
                    usleep(delay)
                    process.send(SIGKILL)
                    return process.waitUntilExit()
                }
                #expect(termination == .signalled(SIGKILL), "round \(round): the batch ended before it was killed")
                _ = try finishedImages(after: round)
            }
            let finished = try finishedImages(after: 20)
            #expect(finished.count < count)
            // What an earlier version, killed, left: a named temporary file (this one leaves none where O_TMPFILE works).
            let stale = out + "/.7.jpg.k3j2h1x0.partial"
            try Data("half an image".utf8).write(to: URL(fileURLWithPath: stale))
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -120)], ofItemAtPath: stale)
            let servedBefore = server.statistics.imagesServed

            let rerun = try await cli(["batch", manifest, "--output-dir", out, "--json"], server: server)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            let summary = try #require(json(rerun))
            #expect(summary["skipped"] as? Int == finished.count)
            #expect(summary["downloaded"] as? Int == count - finished.count)
            #expect(server.statistics.imagesServed - servedBefore == count - finished.count)
            #expect(try finishedImages(after: 21).count == count)
        }
    }

    @Test(arguments: [SIGINT, SIGTERM]) func aSignalMidBatchCancelsItCleanlyWithTheShellsExitStatus(signal: Int32) async throws {
        try await withServer { server in
            let directory = try TemporaryDirectory()
            let manifest = directory.path + "/m.jsonl"
            try writeManifest(manifest, count: 150, fileID: "slow") { "\($0).jpg" }
            let process = try SpawnedProcess(TestPaths.product("boldsign-idv"),
                                             ["batch", manifest, "--output-dir", directory.path + "/out", "--concurrency", "4", "--quiet"],
                                             environment: ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL])
            let termination = try await onDedicatedThread {
                while server.statistics.imagesServed < 20 { usleep(20_000) }
                process.send(signal)
                return process.waitUntilExit()
            }
            // Exits with the shell's status for the signal, rather than dying of it.
            #expect(termination == .exited(128 + signal))
            let entries = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/out")
            #expect(!entries.contains { $0.hasPrefix(".") }, "left behind: \(entries.filter { $0.hasPrefix(".") })")
            #expect(entries.count >= 10 && entries.count < 150, "\(entries.count) files")
            let expected = try #require(Self.fixtures.documents[1].signers[0].files.first { $0.id == "slow" }).generator.bytes(in: 0..<3000)
            for name in entries {
                #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.path + "/out/" + name))) == expected, "\(name)")
            }
        }
    }

    @Test func aBatchOf5000KeepsPeakRSSWithin10MiBOfABatchOf50() async throws {
        try await withServer(.init(fixtures: Self.fixtures, rateLimit: .off)) { server in
            let directory = try TemporaryDirectory()
            func run(_ count: Int) async throws -> PeakMemory.Sampled {
                let manifest = directory.path + "/m\(count).jsonl"
                try writeManifest(manifest, count: count, fileID: "small") { "\(count)/\($0).png" }
                return try await PeakMemory.runSampling(TestPaths.product("boldsign-idv"), [
                    "batch", manifest, "--output-dir", directory.path + "/out", "--concurrency", "8", "--quiet",
                ], environment: ["BOLDSIGN_API_KEY": Self.key, "BOLDSIGN_BASE_URL": server.baseURL])
            }
            let small = try await run(50)
            let large = try await run(5000)
            #expect(small.status == 0 && large.status == 0)
            #expect(large.peakRSS - small.peakRSS < 10 << 20, "50: \(small), 5000: \(large)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path + "/out/5000").count == 5000)
        }
    }
}

/// What a newcomer runs first.
@Suite struct DemoTests {
    @Test func demoRunsTheWholeJobAgainstTheBundledServerAndIsResumable() async throws {
        let directory = try TemporaryDirectory()
        let binary = TestPaths.product("boldsign-mock")
        let first = try await ChildProcess.shell("cd '\(directory.path)' && '\(binary)' demo", environment: ["PATH": "/usr/bin:/bin"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.text.contains("1. The identity-verification report") && first.text.contains("3. A batch") && first.text.contains("4. "))
        let saved: [String: SampleImage] = ["alex/document-1.jpg": .idCardFront, "alex/document-2.jpg": .idCardBack, "alex/selfie.png": .selfie,
                                            "batch/sms-signer-id.jpg": .idCardFront, "batch/sms-signer-selfie.png": .selfie]
        #expect(Set(try FileManager.default.subpathsOfDirectory(atPath: directory.path + "/boldsign-demo").filter { $0.contains(".") })
            == Set(saved.keys))
        for (file, image) in saved {
            let path = directory.path + "/boldsign-demo/" + file
            #expect(try await ChildProcess.sha256(ofFile: path) == image.sha256, "\(file)")
            #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600, "\(file)")
            // Images a person (or a thumbnailer) can open: ImageMagick decodes every one.
            let identify = try await ChildProcess.run("/usr/bin/env", ["identify", path])
            #expect(identify.status == 0, "ImageMagick's identify cannot decode \(file): \(identify.stderr)")
            #expect(identify.text.contains(image.format == .png ? " PNG 320x400 " : " JPEG 640x404 "), "\(identify.text)")
        }
        let second = try await ChildProcess.shell("cd '\(directory.path)' && '\(binary)' demo", environment: ["PATH": "/usr/bin:/bin"])
        #expect(second.status == 0)
        #expect(second.text.contains("already there"))
    }
}

/// The built `boldsign-idv` binary against nginx over TLS 1.3 with HTTP/2, as BoldSign is reached.
@Suite struct CLIOverHTTPSTests {
    @Test(arguments: ["automatic", "1.1"])
    func aBatchOfFortyEightAtATimeIsExact(httpVersion: String) async throws {
        let nginx = try await NginxServer.start()
        let document = "6c1e7d2a-3b4f-4a5e-8d9c-0b1a2f3e4d5c"
        let body = Data((0..<300 * 1024).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ $0 >> 9) })
        try nginx.serve(body, documentID: document)
        let directory = try TemporaryDirectory()
        let manifest = directory.path + "/m.jsonl"
        let lines = (0..<40).map { #"{"documentId":"\#(document)","emailId":"a@example.com","fileId":"f","output":"\#($0).jpg"}"# }
        try Data(lines.joined(separator: "\n").utf8).write(to: URL(fileURLWithPath: manifest))
        let run = try await ChildProcess.run(
            TestPaths.product("boldsign-idv"),
            ["batch", manifest, "--output-dir", directory.path + "/out", "--concurrency", "8", "--http-version", httpVersion,
             "--ca-file", TestPaths.certificates + "/ca.pem", "--quiet"],
            environment: ["BOLDSIGN_API_KEY": "nginx-ignores-it", "BOLDSIGN_BASE_URL": nginx.baseURL, "PATH": "/usr/bin:/bin"])
        #expect(run.status == 0, "\(run.stderr)")
        for index in 0..<40 {
            #expect(try Data(contentsOf: URL(fileURLWithPath: "\(directory.path)/out/\(index).jpg")) == body, "item \(index)")
        }
        let log = nginx.accessLog()
        #expect(log.count == 40)
        #expect(log.allSatisfy { $0.httpVersion == (httpVersion == "1.1" ? "HTTP/1.1" : "HTTP/2.0") }, "\(Set(log.map(\.httpVersion)))")
    }
}
