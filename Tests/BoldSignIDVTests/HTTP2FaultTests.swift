@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// What goes wrong only on a multiplexed HTTP/2 connection, where one stream's or one connection's
/// fault meets many transfers at once: each transfer gets its own right outcome, retries follow the
/// policy, and no destination is ever left partial.
@Suite struct HTTP2FaultTests {
    static let busyFile = MockFixtures.File(id: "busy", size: 1 << 20, seed: 301)
    /// Pauses for two seconds at 256 KiB, so that it is still in flight when another stream misbehaves.
    static let lingeringFile = MockFixtures.File(id: "lingering", size: 1 << 20, seed: 302,
                                                 fault: .init(stallAfterBytes: 256 * 1024, stallSeconds: 2))
    static let resetFile = MockFixtures.File(id: "reset", size: 1 << 20, seed: 303, fault: .init(closeAfterBytes: 100_000, firstRequests: 1))
    static let resetAlwaysFile = MockFixtures.File(id: "reset-always", size: 1 << 20, seed: 304, fault: .init(closeAfterBytes: 100_000))
    /// Once seven more requests have arrived, sends GOAWAY naming its own stream as the last, then finishes.
    static let goAwayFile = MockFixtures.File(id: "goaway", size: 1 << 20, seed: 305,
                                              fault: .init(stallAfterBytes: 65536, stallUntilRequests: 8, goAwayAfterBytes: 65537, firstRequests: 1))
    /// Once seven more requests have arrived, closes its connection.
    static let dropConnectionFile = MockFixtures.File(id: "drop-connection", size: 1 << 20, seed: 306,
                                                      fault: .init(stallAfterBytes: 65536, stallUntilRequests: 8, closeConnectionAfterBytes: 100_000,
                                                                   firstRequests: 1))
    /// Stalls far longer than any test waits, so that only the client's stall timer can end it.
    static let stalledFile = MockFixtures.File(id: "stalled", size: 1 << 20, seed: 307, fault: .init(stallAfterBytes: 65536, stallSeconds: 300))
    static let tinyFile = MockFixtures.File(id: "tiny", format: .png, size: 2048, seed: 308)

    static let fixtures: MockFixtures = {
        var fixtures = MockFixtures.default
        fixtures.documents[1].signers[0].files += [busyFile, lingeringFile, resetFile, resetAlwaysFile, goAwayFile, dropConnectionFile,
                                                   stalledFile, tinyFile]
        return fixtures
    }()

    private static func request(_ file: MockFixtures.File) -> ImageRequest {
        ImageRequest(documentID: largeDocument, signer: bulk, fileID: file.id)
    }

    private static func expectExact(_ path: String, _ file: MockFixtures.File, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(bytes == file.generator.bytes(in: 0..<file.size), "\(path)", sourceLocation: sourceLocation)
    }

    /// Downloads each file to `<directory>/<index>` at once, all through `client`; the outcomes in order.
    private static func downloadAll(_ files: [MockFixtures.File], client: BoldSignClient, into directory: String)
        async -> [Result<ImageDownload, BoldSignError>] {
        await withTaskGroup(of: (Int, Result<ImageDownload, BoldSignError>).self) { group in
            for (index, file) in files.enumerated() {
                group.addTask {
                    do {
                        return (index, .success(try await client.downloadImage(request(file), to: FilePath("\(directory)/\(index)"))))
                    } catch let error as BoldSignError {
                        return (index, .failure(error))
                    } catch {
                        return (index, .failure(BoldSignError(.transportFailed, "\(error)")))
                    }
                }
            }
            var results = [Result<ImageDownload, BoldSignError>?](repeating: nil, count: files.count)
            for await (index, result) in group { results[index] = result }
            return results.map { $0 ?? .failure(BoldSignError(.transportFailed, "no outcome")) }
        }
    }

    private static func quickRetries(_ configuration: inout Configuration) {
        configuration.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20), maxDelay: .milliseconds(100))
    }

    private static func requests(of file: MockFixtures.File, _ server: MockServer) -> Int {
        server.requestLog.filter { $0.body.contains("\"fileId\":\"\(file.id)\"") }.count
    }

    @Test func aStreamResetMidBodyIsRetriedAloneWhileItsNeighboursFinish() async throws {
        try await withClientAndServer(over: .tlsHTTP2, server: .init(fixtures: Self.fixtures), configure: Self.quickRetries) { client, server in
            let directory = try TemporaryDirectory()
            let files = [Self.resetFile] + Array(repeating: Self.busyFile, count: 7)
            let results = await Self.downloadAll(files, client: client, into: directory.path)
            for (index, file) in files.enumerated() {
                #expect((try? results[index].get()) != nil, "\(index): \(results[index])")
                try Self.expectExact("\(directory.path)/\(index)", file)
            }
            #expect(Self.requests(of: Self.resetFile, server) == 2)
            #expect(Self.requests(of: Self.busyFile, server) == 7)
            #expect(server.statistics.connections == 1)
        }
    }

    @Test func aStreamResetWithoutRetriesFailsOnlyThatTransferAndLeavesNoFile() async throws {
        try await withClientAndServer(over: .tlsHTTP2, server: .init(fixtures: Self.fixtures), configure: { $0.retry = .none }) { client, server in
            let directory = try TemporaryDirectory()
            let files = [Self.resetAlwaysFile] + Array(repeating: Self.busyFile, count: 7)
            let results = await Self.downloadAll(files, client: client, into: directory.path)
            guard case .failure(let error) = results[0] else { Issue.record("the reset stream succeeded"); return }
            #expect(error.kind == .connectionFailed, "\(error)")
            for index in 1..<8 { try Self.expectExact("\(directory.path)/\(index)", Self.busyFile) }
            #expect(directoryEntries(directory.path) == (1..<8).map(String.init).sorted())
            #expect(server.statistics.connections == 1)
        }
    }

    @Test func goAwayCompletesTheStreamsItCoversAndRetriesTheOthersOnANewConnection() async throws {
        try await withClientAndServer(over: .tlsHTTP2, server: .init(fixtures: Self.fixtures), configure: Self.quickRetries) { client, server in
            let directory = try TemporaryDirectory()
            let first = Task { try await client.downloadImage(Self.request(Self.goAwayFile), to: FilePath(directory.path + "/goaway")) }
            // The GOAWAY stream is the connection's first; the others open after it and are in flight when it comes.
            try await waitUntil { Self.requests(of: Self.goAwayFile, server) == 1 }
            let later = await Self.downloadAll(Array(repeating: Self.lingeringFile, count: 7), client: client, into: directory.path)
            _ = try await first.value
            try Self.expectExact(directory.path + "/goaway", Self.goAwayFile)
            for index in 0..<7 {
                #expect((try? later[index].get()) != nil, "\(index): \(later[index])")
                try Self.expectExact("\(directory.path)/\(index)", Self.lingeringFile)
            }
            #expect(Self.requests(of: Self.goAwayFile, server) == 1)
            #expect(Self.requests(of: Self.lingeringFile, server) == 14, "each later stream refused once, then served")
            // libcurl retries a refused stream on a fresh connection of its own.
            #expect(server.statistics.connections > 1)
        }
    }

    @Test func aStalledStreamTimesOutAloneWhileBusyStreamsOnItsConnectionFinish() async throws {
        try await withClientAndServer(over: .tlsHTTP2, server: .init(fixtures: Self.fixtures),
                                      configure: { $0.retry = .none; $0.timeouts.stall = .seconds(1) }) { client, server in
            let directory = try TemporaryDirectory()
            let files = [Self.stalledFile] + Array(repeating: Self.busyFile, count: 7)
            let started = ContinuousClock.now
            let results = await Self.downloadAll(files, client: client, into: directory.path)
            // Long before the server's 300 s stall would end it. The time includes the seven busy downloads,
            // which a loaded full run made take up to 27 s (the bound was 25 s, against a 30 s stall).
            #expect(ContinuousClock.now - started < .seconds(120) * timingSlack)
            guard case .failure(let error) = results[0] else { Issue.record("the stalled stream succeeded"); return }
            #expect(error.kind == .stalled, "\(error)")
            for index in 1..<8 {
                #expect((try? results[index].get()) != nil, "\(index): \(results[index])")
                try Self.expectExact("\(directory.path)/\(index)", Self.busyFile)
            }
            #expect(!directoryEntries(directory.path).contains("0"))
            #expect(server.statistics.connections == 1)
        }
    }

    @Test func aConnectionDroppedUnderEightStreamsEndsEachByThePolicy() async throws {
        try await withClientAndServer(over: .tlsHTTP2, server: .init(fixtures: Self.fixtures), configure: Self.quickRetries) { client, server in
            let directory = try TemporaryDirectory()
            let files = [Self.dropConnectionFile] + Array(repeating: Self.lingeringFile, count: 7)
            let results = await Self.downloadAll(files, client: client, into: directory.path)
            for (index, file) in files.enumerated() {
                #expect((try? results[index].get()) != nil, "\(index): \(results[index])")
                try Self.expectExact("\(directory.path)/\(index)", file)
            }
            // Every lingering stream was mid-body when the connection went: each was asked for twice.
            #expect(Self.requests(of: Self.lingeringFile, server) == 14)
            #expect(Self.requests(of: Self.dropConnectionFile, server) == 2)
            #expect(server.statistics.connections == 2)
        }
    }

    @Test func aConnectionDroppedWithoutRetriesFailsEveryStreamOnItAndLeavesNoFile() async throws {
        var fixtures = Self.fixtures
        fixtures.documents[1].signers[0].files.append(MockFixtures.File(
            id: "drop-always", size: 1 << 20, seed: 309, fault: .init(stallAfterBytes: 65536, stallUntilRequests: 8, closeConnectionAfterBytes: 100_000)))
        try await withClientAndServer(over: .tlsHTTP2, server: .init(fixtures: fixtures), configure: { $0.retry = .none }) { client, _ in
            let directory = try TemporaryDirectory()
            let drop = try #require(fixtures.documents[1].signers[0].files.last)
            let results = await Self.downloadAll([drop] + Array(repeating: Self.lingeringFile, count: 7), client: client, into: directory.path)
            for result in results {
                guard case .failure(let error) = result else { Issue.record("a stream on the dropped connection succeeded"); continue }
                #expect(error.kind == .connectionFailed, "\(error)")
            }
            #expect(directoryEntries(directory.path).isEmpty)
        }
    }

    @Test func aServerThatAllowsOneStreamAtATimeStillServesEveryTransfer() async throws {
        let transport = TestTransport.tlsHTTP2
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures, tls: transport.tls(maxConcurrentStreams: 1))) { client, _ in
            let directory = try TemporaryDirectory()
            let results = await Self.downloadAll(Array(repeating: Self.busyFile, count: 16), client: client, into: directory.path)
            for index in 0..<16 {
                #expect((try? results[index].get()) != nil, "\(index): \(results[index])")
                try Self.expectExact("\(directory.path)/\(index)", Self.busyFile)
            }
        }
    }

    @Test func aThousandConcurrentDownloadsThroughOneClientAllSucceed() async throws {
        try await withClientAndServer(over: .tlsHTTP2, server: .init(fixtures: Self.fixtures), configure: { $0.retry = .none }) { client, server in
            let failures = await withTaskGroup(of: String?.self) { group in
                for _ in 0..<1000 {
                    group.addTask {
                        do {
                            let result = try await downloadDiscardingBody(client, Self.request(Self.tinyFile))
                            return result.bytesWritten == Self.tinyFile.size ? nil : "\(result.bytesWritten) bytes"
                        } catch {
                            return "\(error)"
                        }
                    }
                }
                return await group.compactMap { $0 }.reduce(into: []) { $0.append($1) }
            }
            #expect(failures.isEmpty, "\(failures.count) failed: \(Set(failures))")
            #expect(server.statistics.imagesServed == 1000)
            #expect(server.statistics.connections == 1)
        }
    }
}

/// Polls `condition` every 10 ms for up to a minute: a precondition (a request has arrived), never a
/// measure of speed, so the limit only has to end a test that would otherwise hang; 10 s was too few in
/// a loaded full run.
func waitUntil(atMost limit: Duration = .seconds(60), _ condition: () -> Bool, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let deadline = ContinuousClock.now + limit
    while !condition() {
        guard ContinuousClock.now < deadline else {
            Issue.record("condition not met within \(limit)", sourceLocation: sourceLocation)
            return
        }
        try await Task.sleep(for: .milliseconds(10))
    }
}
