@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Retries against real faults: what is retried, how often, how long it waits, and how the output is kept clean.
@Suite struct RetryTests {
    static let fixtures: MockFixtures = {
        var fixtures = MockFixtures.default
        let files: [MockFixtures.File] = [
            .init(id: "unavailable", size: 10, fault: .init(respond: .init(status: 503, body: #"{"error":"maintenance"}"#))),
            .init(id: "retry-after-1", size: 2048, seed: 7, fault: .init(failFirst: .init(count: 1, response: .init(
                status: 429, headers: ["Retry-After": "1"], body: #"{"error":"API calls quota exceeded"}"#)))),
            .init(id: "gateway-once", size: 2048, seed: 8, fault: .init(failFirst: .init(count: 1, response: .init(status: 502)))),
            .init(id: "drop-once", size: 1 << 20, seed: 9, fault: .init(closeAfterBytes: 600_000, firstRequests: 1)),
            .init(id: "bad-request", size: 10, fault: .init(respond: .init(status: 400, body: #"{"error":"bad"}"#))),
            .init(id: "not-found", size: 10, fault: .init(respond: .init(status: 404))),
        ]
        fixtures.documents[2].signers[0].files += files
        return fixtures
    }()

    private func request(_ fileID: String) -> ImageRequest { ImageRequest(documentID: faultDocument, signer: faults, fileID: fileID) }

    @Test(arguments: TestTransport.selected) func failTwiceThenSucceedSucceeds(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let result = try await client.downloadImage(request("flaky"), to: FilePath(directory.path + "/flaky.jpg"))
            #expect(result.bytesWritten == 4096)
            #expect(server.statistics.imageRequests == 3)
            #expect(server.statistics.responses(status: 503) == 2)
        }
    }

    @Test(arguments: TestTransport.selected) func a503ForeverGivesUpAfterTheConfiguredAttemptsWithTheLastStatus(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures),
                                      configure: { $0.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(50)) }) { client, server in
            let directory = try TemporaryDirectory()
            let error = await expectError(.serverError) { try await client.downloadImage(request("unavailable"), to: FilePath(directory.path + "/x")) }
            #expect(error?.status == 503)
            #expect(error?.serverMessage == "maintenance")
            #expect(server.statistics.imageRequests == 3)
            #expect(directoryEntries(directory.path).isEmpty)
        }
    }

    @Test(arguments: TestTransport.selected) func retryAfterIsRespected(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            let started = ContinuousClock.now
            let result = try await client.downloadImage(request("retry-after-1"), into: fd)
            let elapsed = ContinuousClock.now - started
            #expect(result.bytesWritten == 2048)
            // The lower bound is the point; the upper one only catches a wait far beyond what was asked (the
            // "1" read as minutes, say), since a loaded full run took over 20 s for these two small requests.
            #expect(elapsed >= .milliseconds(950) && elapsed < .seconds(45) * timingSlack, "\(elapsed)")
            #expect(server.statistics.responses(status: 429) == 1)
        }
    }

    @Test(arguments: TestTransport.selected) func gatewayErrorsAreRetriedWithBackoff(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            #expect(try await client.downloadImage(request("gateway-once"), into: fd).bytesWritten == 2048)
            #expect(server.statistics.imageRequests == 2)
        }
    }

    @Test(arguments: TestTransport.selected, [("bad-request", BoldSignError.Kind.badRequest), ("not-found", .notFound), ("no-such-file", .forbidden)])
    func clientErrorsAreNeverRetried(over transport: TestTransport, expected: (fileID: String, kind: BoldSignError.Kind)) async throws {
        let (fileID, kind) = expected
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            await expectError(kind) { try await client.downloadImage(request(fileID), into: fd) }
            #expect(server.statistics.imageRequests == 1)
        }
    }

    @Test(arguments: TestTransport.selected) func unauthorizedIsNeverRetried(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, configure: { $0.credentials = .apiKey("wrong-key") }) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            await expectError(.unauthorized) { try await client.downloadImage(request("flaky"), into: fd) }
            #expect(server.statistics.requests == 1)
        }
    }

    @Test(arguments: TestTransport.selected) func aBodyCutShortIsRetriedIntoARegularFileAfterTruncatingIt(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures),
                                      configure: { $0.buffers = .init(receiveBytes: 16 * 1024, writeBytes: 0) }) { client, server in
            let directory = try TemporaryDirectory()
            let path = directory.path + "/out"
            let fd = try openForWriting(path)
            // Something the caller wrote before: it must survive the rewind.
            _ = try fd.writeAll(Array("HEADER".utf8))
            let result = try await client.downloadImage(request("drop-once"), into: fd)
            try fd.close()
            #expect(result.bytesWritten == 1 << 20)
            #expect(server.statistics.imageRequests == 2)
            let written = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
            let file = try #require(Self.fixtures.documents[2].signers[0].files.first { $0.id == "drop-once" })
            #expect(written.count == 6 + (1 << 20))
            #expect(Array(written.prefix(6)) == Array("HEADER".utf8))
            #expect(Array(written.dropFirst(6)) == file.generator.bytes(in: 0..<file.size))
        }
    }

    @Test(arguments: TestTransport.selected) func aPathDownloadCutShortIsRetriedFromTheStartOfItsTemporaryFile(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures),
                                      configure: { $0.buffers = .init(receiveBytes: 16 * 1024, writeBytes: 0) }) { client, server in
            let directory = try TemporaryDirectory()
            let path = directory.path + "/out.jpg"
            let result = try await client.downloadImage(request("drop-once"), to: FilePath(path))
            #expect(result.bytesWritten == 1 << 20)
            #expect(server.statistics.imageRequests == 2)
            let file = try #require(Self.fixtures.documents[2].signers[0].files.first { $0.id == "drop-once" })
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == file.generator.bytes(in: 0..<file.size))
            #expect(directoryEntries(directory.path) == ["out.jpg"])
        }
    }

    @Test(arguments: TestTransport.selected) func aBodyCutShortIntoAPipeIsNotRetried(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures),
                                      configure: { $0.buffers = .init(receiveBytes: 16 * 1024, writeBytes: 0) }) { client, server in
            let pipe = try FileDescriptor.pipe()
            let drain = Task {
                try await onDedicatedThread {
                    var buffer = [UInt8](repeating: 0, count: 65536)
                    var total = 0
                    while let count = try? buffer.withUnsafeMutableBytes({ try pipe.readEnd.read(into: $0) }), count > 0 { total += count }
                    return total
                }
            }
            let error = await expectError(.connectionFailed) { try await client.downloadImage(request("drop-once"), into: pipe.writeEnd) }
            try pipe.writeEnd.close()
            let drained = try await drain.value
            try pipe.readEnd.close()
            #expect((error?.bytesWritten ?? 0) > 0)
            #expect(drained == Int(error?.bytesWritten ?? -1))
            #expect(server.statistics.imageRequests == 1)
        }
    }

    @Test func plannerUsesFullJitterUnderTheCapAndHonoursServerDelays() {
        let policy = RetryPolicy(maxAttempts: 10, baseDelay: .milliseconds(100), maxDelay: .seconds(1), maxServerRequestedDelay: .seconds(60))
        let unavailable = BoldSignError(.serverError, "x", status: 503)
        #expect(RetryPlanner.delay(after: unavailable, attempt: 1, policy: policy, outputRewindable: false, random: { $0.upperBound }) == .milliseconds(100))
        #expect(RetryPlanner.delay(after: unavailable, attempt: 3, policy: policy, outputRewindable: false, random: { $0.upperBound }) == .milliseconds(400))
        #expect(RetryPlanner.delay(after: unavailable, attempt: 9, policy: policy, outputRewindable: false, random: { $0.upperBound }) == .seconds(1))
        #expect(RetryPlanner.delay(after: unavailable, attempt: 9, policy: policy, outputRewindable: false, random: { $0.lowerBound }) == .zero)
        #expect(RetryPlanner.delay(after: unavailable, attempt: 10, policy: policy, outputRewindable: false) == nil)
        let limited = BoldSignError(.rateLimited, "x", status: 429, retryAfter: .seconds(7))
        #expect(RetryPlanner.delay(after: limited, attempt: 1, policy: policy, outputRewindable: false) == .seconds(7))
        let tooLong = BoldSignError(.rateLimited, "x", status: 429, retryAfter: .seconds(3600))
        #expect(RetryPlanner.delay(after: tooLong, attempt: 1, policy: policy, outputRewindable: false) == nil)
        for status in [400, 401, 403, 404, 500, 501] {
            #expect(RetryPlanner.delay(after: BoldSignError(.serverError, "x", status: status), attempt: 1, policy: policy, outputRewindable: true) == nil)
        }
        let dropped = BoldSignError(.connectionFailed, "x", status: 200, bytesWritten: 10)
        #expect(RetryPlanner.delay(after: dropped, attempt: 1, policy: policy, outputRewindable: false) == nil)
        #expect(RetryPlanner.delay(after: dropped, attempt: 1, policy: policy, outputRewindable: true) != nil)
        #expect(RetryPlanner.delay(after: BoldSignError(.connectionFailed, "x"), attempt: 1, policy: .none, outputRewindable: true) == nil)
        #expect(RetryPlanner.delay(after: BoldSignError(.tlsFailed, "x"), attempt: 1, policy: policy, outputRewindable: true) == nil)
    }
}
