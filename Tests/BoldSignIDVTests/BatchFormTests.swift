@testable import BoldSignIDV
import BoldSignMockServer
import CurlTransport
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Both batch forms alike: failed first attempts retried as the policy says, a rate limiter that says
/// wait, items that end without a request, a client shut down mid-batch.
@Suite struct BatchFormTests {
    enum Form: String, CaseIterable, CustomTestStringConvertible {
        case iterator, callback
        var testDescription: String { rawValue }
    }

    /// Larger than one receive buffer, so that its file takes several writes.
    static let largeFile = MockFixtures.File(id: "large", size: 300 * 1024, seed: 79)
    static let slowLargeFile = MockFixtures.File(id: "slow-large", size: 300 * 1024, seed: 80, fault: .init(latencyMilliseconds: 40))
    static let fixtures: MockFixtures = {
        var fixtures = RetryTests.fixtures
        fixtures.documents[1].signers[0].files += [BatchTests.smallFile, BatchTests.slowFile, largeFile, slowLargeFile]
        return fixtures
    }()

    private func expectComplete(_ path: String, _ file: MockFixtures.File) throws {
        #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == file.generator.bytes(in: 0..<file.size), "\(path)")
    }

    private final class Outcomes: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [BatchOutcome] = []
        func append(_ outcome: BatchOutcome) -> Int { lock.withLock { list.append(outcome); return list.count } }
        var sorted: [BatchOutcome] { lock.withLock { list.sorted { $0.index < $1.index } } }
    }

    /// Runs `items` as a batch of `form`, calling `onOutcome` with each outcome and how many came so far.
    private func run(_ form: Form, _ client: BoldSignClient, _ items: [BatchItem], concurrency: Int,
                     onOutcome: @escaping @Sendable (BatchOutcome, Int) -> Void = { _, _ in }) async -> [BatchOutcome] {
        let outcomes = Outcomes()
        var options = BatchOptions()
        options.concurrency = concurrency  // set after init, as a caller may: init would clamp it
        switch form {
        case .iterator:
            for await outcome in client.downloadBatch(items, options: options) {
                onOutcome(outcome, outcomes.append(outcome))
            }
        case .callback:
            _ = await client.downloadBatch(items, options: options) { outcome in
                onOutcome(outcome, outcomes.append(outcome))
            }
        }
        return outcomes.sorted
    }

    @Test(arguments: Form.allCases, [0, -1])
    func aConcurrencyBelowOneFailsEveryItemWithoutARequestOrAFile(form: Form, concurrency: Int) async throws {
        try await withClientAndServer(server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let outcomes = await run(form, client, BatchTests.items(5, in: directory.path), concurrency: concurrency)
            #expect(outcomes.count == 5)
            for outcome in outcomes {
                guard case .failed(let error) = outcome.result else { Issue.record("item \(outcome.index): \(outcome.result)"); continue }
                #expect(error.kind == .invalidConfiguration && error.description.contains("concurrency"), "\(error)")
            }
            #expect(server.statistics.requests == 0)
            #expect(directoryEntries(directory.path).isEmpty)
        }
    }

    private func faultItem(_ fileID: String, _ directory: String) -> BatchItem {
        BatchItem(request: ImageRequest(documentID: faultDocument, signer: faults, fileID: fileID), destination: FilePath("\(directory)/\(fileID).img"))
    }

    @Test(arguments: TestTransport.selected, Form.allCases)
    func failedFirstAttemptsAreRetriedAsThePolicySaysAndTheRestGoOn(over transport: TestTransport, form: Form) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures),
                                      configure: { $0.retry = RetryPolicy(maxAttempts: 3, baseDelay: .milliseconds(20)) }) { client, server in
            let directory = try TemporaryDirectory()
            let faulty = ["flaky", "gateway-once", "drop-once", "not-found"].map { faultItem($0, directory.path) }
            let large = BatchTests.items(4, fileID: "large", in: directory.path + "/large")
            try FileManager.default.createDirectory(atPath: directory.path + "/large", withIntermediateDirectories: false)
            let items = faulty + BatchTests.items(8, in: directory.path) + large
            let outcomes = await run(form, client, items, concurrency: 2)

            try #require(outcomes.map(\.index) == Array(0..<16))
            for outcome in outcomes where outcome.index != 3 {
                guard case .downloaded(let download) = outcome.result else {
                    Issue.record("item \(outcome.index): \(outcome.result)")
                    continue
                }
                #expect(download.path == outcome.item.destination)
            }
            if case .failed(let error) = outcomes[3].result {
                #expect(error.kind == .notFound)
            } else {
                Issue.record("not-found was \(outcomes[3].result)")
            }
            // flaky: 503, 503, 200; gateway-once: 502, 200; drop-once: cut short, 200; not-found: once; 8 small, 4 large.
            #expect(server.statistics.imageRequests == 3 + 2 + 2 + 1 + 8 + 4)
            #expect(server.statistics.responses(status: 503) == 2 && server.statistics.responses(status: 502) == 1)
            #expect(server.statistics.responses(status: 404) == 1)
            #expect(fileSize(directory.path + "/flaky.img") == 4096)
            #expect(fileSize(directory.path + "/gateway-once.img") == 2048)
            let dropped = try #require(RetryTests.fixtures.documents[2].signers[0].files.first { $0.id == "drop-once" })
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: directory.path + "/drop-once.img")))
                    == dropped.generator.bytes(in: 0..<dropped.size))
            #expect(fileSize(directory.path + "/not-found.img") == nil)
            for item in large { try expectComplete(item.destination.string, Self.largeFile) }
            #expect(!directoryEntries(directory.path).contains { $0.hasSuffix(".partial") })
        }
    }

    @Test(arguments: TestTransport.selected, Form.allCases)
    func itemsTheRateLimiterHoldsBackWaitAndAreDownloaded(over transport: TestTransport, form: Form) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures),
                                      configure: { $0.rateLimiting = RateLimiting(budget: .init(requests: 4, per: .milliseconds(500))) }) { client, server in
            let directory = try TemporaryDirectory()
            let started = ContinuousClock.now
            let outcomes = await run(form, client, BatchTests.items(12, in: directory.path), concurrency: 4)
            let elapsed = ContinuousClock.now - started
            #expect(outcomes.count == 12)
            #expect(outcomes.allSatisfy { if case .downloaded = $0.result { true } else { false } })
            #expect(server.statistics.imageRequests == 12)
            // Three windows of four: the third cannot open before a full second.
            #expect(elapsed >= .milliseconds(1000), "\(elapsed)")
            #expect(directoryEntries(directory.path).count == 12)
        }
    }

    @Test(arguments: TestTransport.selected, Form.allCases)
    func invalidSkippedAndUnwritableItemsEndAtOnceWithoutARequest(over transport: TestTransport, form: Form) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            var items = BatchTests.items(6, in: directory.path)
            items[1].request.documentID = "not-a-uuid"
            items[2].destination = FilePath(directory.path + "/missing/2.img")
            try Data("kept".utf8).write(to: URL(fileURLWithPath: items[4].destination.string))
            let outcomes = await run(form, client, items, concurrency: 1)

            let kinds = outcomes.map { outcome -> String in
                switch outcome.result {
                case .downloaded: "downloaded"
                case .skipped: "skipped"
                case .failed(let error): "\(error.kind)"
                }
            }
            #expect(kinds == ["downloaded", "\(BoldSignError.Kind.invalidRequest)", "\(BoldSignError.Kind.outputFailed)", "downloaded", "skipped", "downloaded"])
            #expect(server.statistics.imageRequests == 3)
            #expect(try String(contentsOfFile: items[4].destination.string, encoding: .utf8) == "kept")
        }
    }

    @Test(arguments: TestTransport.selected, Form.allCases.flatMap { form in ["slow", "slow-large"].map { (form, $0) } })
    func aClientShutDownMidBatchFailsTheRestAndLeavesOnlyCompleteFiles(over transport: TestTransport, case: (form: Form, fileID: String)) async throws {
        let (form, fileID) = `case`
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, _ in
            let directory = try TemporaryDirectory()
            let file = fileID == "slow" ? BatchTests.slowFile : Self.slowLargeFile
            let items = BatchTests.items(60, fileID: fileID, in: directory.path)
            // Requested from the tenth outcome itself, synchronously, as shutdown() does before it waits: a
            // task started there might not run before the batch is over.
            let outcomes = await run(form, client, items, concurrency: 4) { _, count in
                if count == 10 { client.engine.requestShutdownWithoutWaiting() }
            }
            #expect(outcomes.count == 60)
            var downloaded = 0
            for outcome in outcomes {
                switch outcome.result {
                case .downloaded: downloaded += 1
                case .skipped: Issue.record("item \(outcome.index) skipped")
                case .failed(let error): #expect(error.kind == .clientShutdown, "item \(outcome.index): \(error)")
                }
            }
            #expect(downloaded >= 10 && downloaded < 60, "downloaded: \(downloaded)")
            let files = directoryEntries(directory.path)
            #expect(files.count == downloaded)
            #expect(!files.contains { $0.hasSuffix(".partial") })
            for name in files { try expectComplete(directory.path + "/" + name, file) }
        }
    }
}
