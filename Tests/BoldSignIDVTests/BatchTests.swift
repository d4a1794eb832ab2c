@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Batches against the mock: bounded concurrency, the server's rate limit respected, resumable.
@Suite struct BatchTests {
    static let smallFile = MockFixtures.File(id: "small", format: .png, size: 3000, seed: 77)
    static let slowFile = MockFixtures.File(id: "slow", size: 3000, seed: 78, fault: .init(latencyMilliseconds: 40))
    static let fixtures: MockFixtures = {
        var fixtures = MockFixtures.default
        fixtures.documents[1].signers[0].files += [smallFile, slowFile]
        return fixtures
    }()

    /// `count` items of `fileID`, written to `<directory>/<index>.img`; the callback batch's tests use them too.
    static func items(_ count: Int, fileID: String = "small", in directory: String) -> [BatchItem] {
        (0..<count).map { index in
            BatchItem(request: ImageRequest(documentID: largeDocument, signer: bulk, fileID: fileID),
                      destination: FilePath("\(directory)/\(index).img"))
        }
    }

    private func expectComplete(_ items: [BatchItem], file: MockFixtures.File) throws {
        let expected = file.generator.bytes(in: 0..<file.size)
        for item in items {
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: item.destination.string))) == expected, "\(item.destination)")
        }
    }

    @Test(arguments: TestTransport.selected) func aThousandImagesUnderA100Per2SecondLimitCollectAtMostOne429(over transport: TestTransport) async throws {
        let server = MockServer.Configuration(fixtures: Self.fixtures, rateLimit: RateLimitPolicy(limit: 100, windowSeconds: 2))
        try await withClientAndServer(over: transport, server: server, configure: { $0.maxConcurrentTransfers = 8 }) { client, server in
            let directory = try TemporaryDirectory()
            let batch = Self.items(1000, in: directory.path)
            var outcomes = 0
            var last = BatchProgress()
            var maxInFlight = 0
            for await outcome in client.downloadBatch(batch, options: .init(concurrency: 8)) {
                outcomes += 1
                last = outcome.progress
                maxInFlight = max(maxInFlight, outcome.progress.inFlight)
                if case .failed(let error) = outcome.result { Issue.record("item \(outcome.index) failed: \(error)") }
            }
            #expect(outcomes == 1000)
            #expect(last.completed == 1000 && last.downloaded == 1000 && last.failed == 0 && last.bytes == 3_000_000)
            // Up to 8 downloading, and as many being synced and moved into place.
            #expect(maxInFlight <= 2 * 8)
            #expect(server.statistics.responses(status: 429) <= 1, "429s: \(server.statistics.responses(status: 429))")
            #expect(server.statistics.imagesServed == 1000)
            try expectComplete(batch, file: Self.smallFile)
            #expect(directoryEntries(directory.path).count == 1000)
        }
    }

    @Test(arguments: TestTransport.selected) func aCancelledBatchResumesWithoutDownloadingFinishedFilesAgain(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let batch = Self.items(120, fileID: "slow", in: directory.path)
            let consumer = Task {
                var seen = 0
                for await outcome in client.downloadBatch(batch, options: .init(concurrency: 4)) {
                    seen += 1
                    if case .downloaded = outcome.result {} else if case .failed(let error) = outcome.result, error.kind != .cancelled {
                        Issue.record("unexpected failure \(error)")
                    }
                    if seen == 40 { withUnsafeCurrentTask { $0?.cancel() } }
                }
                return seen
            }
            let seen = await consumer.value
            #expect(seen >= 40 && seen < 120)
            // Wait for transfers that were cancelled to settle, then look at the directory.
            try await Task.sleep(for: .milliseconds(200))
            let finished = directoryEntries(directory.path)
            #expect(!finished.contains { $0.hasSuffix(".partial") })
            #expect(finished.count >= 36 && finished.count < 120)
            let servedBefore = server.statistics.imagesServed

            var skipped = 0
            var downloaded = 0
            for await outcome in client.downloadBatch(batch, options: .init(concurrency: 4)) {
                switch outcome.result {
                case .skipped: skipped += 1
                case .downloaded: downloaded += 1
                case .failed(let error): Issue.record("resume failed: \(error)")
                }
            }
            #expect(skipped == finished.count)
            #expect(downloaded == 120 - finished.count)
            #expect(server.statistics.imagesServed - servedBefore == downloaded)
            try expectComplete(batch, file: Self.slowFile)
        }
    }

    @Test(arguments: TestTransport.selected) func failuresDoNotStopTheBatchAndEndingTheLoopEarlyStopsIt(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            var batch = Self.items(10, in: directory.path)
            batch[3].request.fileID = "no-such-file"
            batch[6].request.documentID = "not-a-uuid"
            var failed: [Int: BoldSignError.Kind] = [:]
            var final = BatchProgress()
            for await outcome in client.downloadBatch(batch) {
                if case .failed(let error) = outcome.result { failed[outcome.index] = error.kind }
                final = outcome.progress
            }
            #expect(failed == [3: .forbidden, 6: .invalidRequest])
            #expect(final.downloaded == 8 && final.failed == 2)

            // Breaking out early: no further items are pulled. Begun at most: the one collected, plus twice the
            // concurrency (2: downloading, and being moved into place), plus one begun while the outcome waited.
            let more = Self.items(200, in: directory.path + "/more")
            try FileManager.default.createDirectory(atPath: directory.path + "/more", withIntermediateDirectories: true)
            server.reset()
            for await _ in client.downloadBatch(more, options: .init(concurrency: 2)) { break }
            try await Task.sleep(for: .milliseconds(300))
            #expect(server.statistics.imageRequests <= 1 + 2 * 2 + 1)
        }
    }

    @Test(arguments: TestTransport.selected) func aConsumerThatStopsReadingHoldsTheBatchAtTwiceItsConcurrencyPlusOne(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let batch = Self.items(40, in: directory.path)
            var iterator = client.downloadBatch(batch, options: .init(concurrency: 3)).makeAsyncIterator()
            let first = await iterator.next()
            #expect(first != nil)
            // The consumer looks away: the workers fill the room and stop.
            try await Task.sleep(for: .milliseconds(400))
            let begun = server.statistics.imageRequests
            #expect(begun >= 4 && begun <= 1 + 2 * 3 + 1, "begun: \(begun)")
            try await Task.sleep(for: .milliseconds(200))
            #expect(server.statistics.imageRequests == begun)

            // Taking one more outcome makes room again: the workers go on at once, though more outcomes wait.
            let second = await iterator.next()
            for _ in 0..<100 where server.statistics.imageRequests == begun { try await Task.sleep(for: .milliseconds(10)) }
            #expect(server.statistics.imageRequests > begun)

            var indices: Set<Int> = [first?.index ?? -1, second?.index ?? -1]
            while let outcome = await iterator.next() {
                if case .failed(let error) = outcome.result { Issue.record("item \(outcome.index) failed: \(error)") }
                indices.insert(outcome.index)
            }
            #expect(indices == Set(0..<40))
            #expect(server.statistics.imageRequests == 40)
            try expectComplete(batch, file: Self.smallFile)
        }
    }

    @Test(arguments: TestTransport.selected) func existingDestinationsAreSkippedOrReplacedAsAsked(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let batch = Self.items(3, in: directory.path)
            try Data("old".utf8).write(to: URL(fileURLWithPath: batch[1].destination.string))
            var results: [Int: String] = [:]
            for await outcome in client.downloadBatch(batch, options: .init(skipExisting: false)) {
                results[outcome.index] = switch outcome.result {
                case .downloaded: "downloaded"
                case .skipped: "skipped"
                case .failed(let error): "\(error.kind)"
                }
            }
            #expect(results == [0: "downloaded", 1: "destination exists", 2: "downloaded"])
            for await outcome in client.downloadBatch(batch, options: .init(replaceExisting: true)) {
                if case .failed(let error) = outcome.result { Issue.record("\(error)") }
            }
            try expectComplete(batch, file: Self.smallFile)
            #expect(server.statistics.imagesServed == 5)
        }
    }

    @Test(arguments: TestTransport.selected) func aResumedBatchSkipsOnlyRegularFilesAndRefusesOtherEntries(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let batch = Self.items(4, in: directory.path)
            try Data("kept".utf8).write(to: URL(fileURLWithPath: batch[0].destination.string))
            let target = directory.path + "/target"
            #expect(symlink(target, batch[1].destination.string) == 0)
            #expect(mkdir(batch[2].destination.string, 0o700) == 0)
            var results: [Int: String] = [:]
            for await outcome in client.downloadBatch(batch, options: .init()) {
                results[outcome.index] = switch outcome.result {
                case .downloaded: "downloaded"
                case .skipped: "skipped"
                case .failed(let error): "\(error.kind)"
                }
            }
            #expect(results == [0: "skipped", 1: "destination exists", 2: "destination exists", 3: "downloaded"])
            #expect(try String(contentsOfFile: batch[0].destination.string, encoding: .utf8) == "kept")
            #expect(access(target, F_OK) != 0)
            #expect(server.statistics.imageRequests == 1)
            #expect(!directoryEntries(directory.path).contains { $0.hasSuffix(".partial") })
        }
    }
}
