@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// ``BoldSignClient/downloadBatch(_:options:onOutcome:)``: the batch with a closure for its outcomes, on
/// ``BatchTests``' fixtures and items.
@Suite struct CallbackBatchTests {
    /// What the callback saw, kept by the callback itself. NSLock, not Synchronization.Mutex: these tests
    /// also run under ThreadSanitizer, which sees pthread mutexes only.
    private final class Seen: @unchecked Sendable {
        private let lock = NSLock()
        private var inside = 0
        private var sawOverlap = false
        private var list: [BatchOutcome] = []

        /// Records `outcome` as a call that lasts until `leave()`; returns how many were recorded.
        func enter(_ outcome: BatchOutcome) -> Int {
            lock.withLock {
                inside += 1
                if inside > 1 { sawOverlap = true }
                list.append(outcome)
                return list.count
            }
        }

        func leave() { lock.withLock { inside -= 1 } }
        var overlapped: Bool { lock.withLock { sawOverlap } }
        var outcomes: [BatchOutcome] { lock.withLock { list } }
    }

    /// A task to cancel from inside itself, once it is known.
    private final class TaskHolder: @unchecked Sendable {
        private let lock = NSLock()
        private var task: Task<BatchProgress, Never>?
        private var cancelled = false

        func hold(_ task: Task<BatchProgress, Never>) {
            let cancelNow = lock.withLock {
                self.task = task
                return cancelled
            }
            if cancelNow { task.cancel() }
        }

        func cancel() {
            let task = lock.withLock {
                cancelled = true
                return self.task
            }
            task?.cancel()
        }
    }

    @Test(arguments: TestTransport.selected) func everyItemIsReportedOnceOneAtATimeInProgressOrderWithinItsConcurrency(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: BatchTests.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            var batch = BatchTests.items(40, fileID: "slow", in: directory.path)
            batch[3].request.fileID = "no-such-file"
            let seen = Seen()
            let final = await client.downloadBatch(batch, options: .init(concurrency: 4)) { outcome in
                _ = seen.enter(outcome)
                // Long enough that a second call made meanwhile would overlap this one.
                usleep(2000)
                seen.leave()
            }
            let outcomes = seen.outcomes
            #expect(!seen.overlapped)
            #expect(Set(outcomes.map(\.index)) == Set(0..<40) && outcomes.count == 40)
            #expect(outcomes.map(\.progress.completed) == Array(1...40))
            // At most 4 downloads, and as many items whose files are being moved into place.
            #expect(outcomes.allSatisfy { $0.progress.inFlight <= 2 * 4 })
            #expect(final.completed == 40 && final.downloaded == 39 && final.failed == 1 && final.inFlight == 0)
            #expect(final.bytes == 39 * 3000)
            let failed = outcomes.compactMap { outcome -> Int? in
                if case .failed(let error) = outcome.result, error.kind == .forbidden { return outcome.index }
                return nil
            }
            #expect(failed == [3])
            #expect(server.statistics.imageRequests == 40)
            let expected = BatchTests.slowFile.generator.bytes(in: 0..<BatchTests.slowFile.size)
            for (index, item) in batch.enumerated() where index != 3 {
                #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: item.destination.string))) == expected)
            }
        }
    }

    @Test(arguments: TestTransport.selected) func existingFilesAreSkippedAndAnEmptySourceEndsAtOnce(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: BatchTests.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let batch = BatchTests.items(6, fileID: "small", in: directory.path)
            _ = await client.downloadBatch(batch, options: .init(concurrency: 2)) { _ in }
            let again = await client.downloadBatch(batch, options: .init(concurrency: 2)) { _ in }
            #expect(again.skipped == 6 && again.downloaded == 0)
            #expect(server.statistics.imageRequests == 6)
            let none = await client.downloadBatch([BatchItem](), options: .init(concurrency: 8)) { _ in Issue.record("an outcome of nothing") }
            #expect(none == BatchProgress())
        }
    }

    @Test(arguments: TestTransport.selected) func cancellingTheCallerCancelsDownloadsInFlightAndPullsNoMore(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: BatchTests.fixtures)) { client, server in
            let directory = try TemporaryDirectory()
            let batch = BatchTests.items(200, fileID: "slow", in: directory.path)
            let seen = Seen()
            // Cancelled from the 20th outcome itself: a test task polling for it may be starved under a
            // loaded test run while the batch, which needs no task between items, goes on.
            let caller = TaskHolder()
            let run = Task {
                await client.downloadBatch(batch, options: .init(concurrency: 4)) { outcome in
                    if seen.enter(outcome) >= 20 { caller.cancel() }
                    seen.leave()
                }
            }
            caller.hold(run)
            let final = await run.value
            let outcomes = seen.outcomes
            #expect(final.completed == outcomes.count && final.inFlight == 0)
            #expect(outcomes.count >= 20 && outcomes.count < 40, "outcomes: \(outcomes.count)")
            for outcome in outcomes {
                if case .failed(let error) = outcome.result { #expect(error.kind == .cancelled) }
            }
            #expect(server.statistics.imageRequests <= outcomes.count)
            #expect(!directoryEntries(directory.path).contains { $0.hasSuffix(".partial") })
        }
    }

    /// Set once the other downloads are done; the batch's callback waits for it.
    private final class Signal: @unchecked Sendable {
        private let lock = NSLock()
        private var set = false
        private var entered = false
        func raise() { lock.withLock { set = true } }
        var isRaised: Bool { lock.withLock { set } }
        func enter() { lock.withLock { entered = true } }
        var wasEntered: Bool { lock.withLock { entered } }
    }

    @Test(arguments: TestTransport.selected) func aCallbackThatWaitsHoldsBackNoOtherDownload(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: BatchTests.fixtures), configure: { $0.maxConcurrentTransfers = 8 }) { client, _ in
            let directory = try TemporaryDirectory()
            let othersDone = Signal()
            let batch = Task {
                await client.downloadBatch(BatchTests.items(3, in: directory.path), options: .init(concurrency: 2)) { _ in
                    othersDone.enter()
                    // A callback that takes long (a remote database, say): here, until the other downloads are
                    // over, which they could never be if they waited for it.
                    let deadline = ContinuousClock.now + .seconds(60) * timingSlack
                    while !othersDone.isRaised, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
                }
            }
            try await waitUntil(atMost: .seconds(60) * timingSlack) { othersDone.wasEntered }
            try FileManager.default.createDirectory(atPath: directory.path + "/others", withIntermediateDirectories: false)
            try await downloadFrontImageConcurrently(client, count: 30, into: directory.path + "/others")
            othersDone.raise()
            #expect(directoryEntries(directory.path + "/others").count == 30)
            let progress = await batch.value
            #expect(progress.downloaded == 3)
        }
    }
}
