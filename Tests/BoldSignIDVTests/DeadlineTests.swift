@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// A call's deadline (`timeout:`, `Configuration.timeouts.call`, `BatchOptions.itemTimeout`) ends the
/// call wherever it is waiting — for a response, for the rate limiter, before a retry — and nothing else.
@Suite struct DeadlineTests {
    /// The fault document plus a file that answers after a minute and a signer whose report answers after 1.5 s.
    static let fixtures: MockFixtures = {
        var fixtures = MockFixtures.default
        fixtures.documents[2].signers[0].files.append(.init(id: "minute-late", size: 4096, seed: 9, fault: .init(latencyMilliseconds: 60_000)))
        fixtures.documents[2].signers.append(.init(emailId: "slow-report@example.com", order: 3, reportFault: .init(latencyMilliseconds: 1500),
                                                   files: [.init(id: "slow-report-image", size: 10, seed: 1)]))
        return fixtures
    }()

    private func request(_ fileID: String) -> ImageRequest { ImageRequest(documentID: faultDocument, signer: faults, fileID: fileID) }

    @Test(arguments: TestTransport.selected) func aResponseLaterThanTheDeadlineFailsTimedOutAndLeavesNoFile(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport) { client, _ in
            let directory = try TemporaryDirectory()
            let started = ContinuousClock.now
            // The server answers after 1.5 s: without the deadline this call succeeds.
            let error = await expectError(.timedOut) {
                try await client.downloadImage(request("latency"), to: FilePath(directory.path + "/late.jpg"), timeout: .milliseconds(300))
            }
            let elapsed = ContinuousClock.now - started
            #expect(elapsed >= .milliseconds(290), "\(elapsed)")
            #expect(error?.curlCode == 28)
            #expect(directoryEntries(directory.path).isEmpty)
        }
    }

    @Test(arguments: TestTransport.selected) func aBodyThatStallsEndsAtTheDeadlineNotTheStallTimeout(over transport: TestTransport) async throws {
        // The stall timeout alone would take 30 s; the server's stall as long.
        try await withClientAndServer(over: transport, configure: { $0.timeouts.call = .seconds(1) }) { client, _ in
            let directory = try TemporaryDirectory()
            let fd = try openForWriting(directory.path + "/stall")
            defer { try? fd.close() }
            let started = ContinuousClock.now
            await expectError(.timedOut) { try await client.downloadImage(request("stall"), into: fd) }
            #expect(ContinuousClock.now - started < .seconds(25) * timingSlack)
        }
    }

    @Test(arguments: TestTransport.selected) func aRetryThatWouldStartAfterTheDeadlineIsNotMade(over transport: TestTransport) async throws {
        // Every answer is 429 with Retry-After: 2, retried by default: the first retry would start after the deadline.
        try await withClientAndServer(over: transport) { client, server in
            let error = await expectError(.rateLimited) {
                let fd = try FileDescriptor.open("/dev/null", .writeOnly)
                defer { try? fd.close() }
                return try await client.downloadImage(request("rate-limited"), into: fd, timeout: .seconds(1))
            }
            #expect(error?.status == 429)
            #expect(server.statistics.imageRequests == 1)
        }
    }

    @Test func aRateLimiterWaitPastTheDeadlineFailsAtOnce() async throws {
        let budget = RateLimiting(budget: .init(requests: 1, per: .seconds(60)))
        try await withClientAndServer(configure: { $0.rateLimiting = budget }) { client, server in
            try await downloadDiscardingBody(client, ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile))
            let started = ContinuousClock.now
            let error = await expectError(.timedOut) {
                let fd = try FileDescriptor.open("/dev/null", .writeOnly)
                defer { try? fd.close() }
                return try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd,
                                                      timeout: .seconds(20))
            }
            // The budget's window has a minute to go: waiting for the deadline first would gain nothing.
            #expect(ContinuousClock.now - started < .seconds(15))
            #expect(error?.retryAfter.map { $0 > .seconds(50) } == true)
            #expect(server.statistics.imageRequests == 1)
        }
    }

    @Test(arguments: TestTransport.selected) func aReportLaterThanTheDeadlineFailsTimedOut(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, server: .init(fixtures: Self.fixtures)) { client, _ in
            await expectError(.timedOut) {
                try await client.report(documentID: faultDocument, signer: .email("slow-report@example.com"), order: 3, timeout: .milliseconds(300))
            }
            // The same report without a deadline arrives.
            let report = try await client.report(documentID: faultDocument, signer: .email("slow-report@example.com"), order: 3)
            #expect(report.imageFiles.count == 1)
        }
    }

    @Test func aDeadlineOnOneCallDoesNotStayOnItsReusedHandle() async throws {
        // One transfer at a time, so the second call runs on the first one's pooled handle.
        try await withClientAndServer(server: .init(fixtures: Self.fixtures), configure: { $0.maxConcurrentTransfers = 1; $0.retry = .none }) { client, _ in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd,
                                               timeout: .seconds(5))
            // No deadline: still waiting after 7 s, where the last call's five-second limit would have ended it.
            let second = Task { try await client.downloadImage(request("minute-late"), into: fd) }
            try await Task.sleep(for: .seconds(7))
            second.cancel()
            guard case .failure(let error) = await second.result else { Issue.record("the minute-late download finished"); return }
            #expect((error as? BoldSignError)?.kind == .cancelled, "\(error)")
        }
    }

    @Test func aBatchItemPastItsDeadlineFailsAndTheOthersAreDownloaded() async throws {
        try await withClientAndServer(server: .init(fixtures: Self.fixtures)) { client, _ in
            let directory = try TemporaryDirectory()
            let items = [BatchItem(request: request("minute-late"), destination: FilePath(directory.path + "/late"))]
                + (1...3).map { BatchItem(request: ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), destination: FilePath(directory.path + "/front-\($0)")) }
            var results: [String: BatchOutcome.Result] = [:]
            for await outcome in client.downloadBatch(items, options: .init(concurrency: 4, itemTimeout: .seconds(10))) {
                results[outcome.item.destination.lastComponent?.string ?? ""] = outcome.result
            }
            guard case .failed(let late) = results["late"] else { Issue.record("late: \(String(describing: results["late"]))"); return }
            #expect(late.kind == .timedOut, "\(late)")
            #expect(directoryEntries(directory.path).sorted() == ["front-1", "front-2", "front-3"], "\(results)")
        }
    }

    @Test func aTimeoutThatIsNotPositiveIsRefusedBeforeAnythingIsSent() async throws {
        try await withClientAndServer { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            await expectError(.invalidConfiguration) {
                try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd, timeout: .zero)
            }
            let directory = try TemporaryDirectory()
            let item = BatchItem(request: ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), destination: FilePath(directory.path + "/x"))
            for await outcome in client.downloadBatch([item], options: .init(itemTimeout: .seconds(-1))) {
                guard case .failed(let error) = outcome.result else { Issue.record("\(outcome.result)"); continue }
                #expect(error.kind == .invalidConfiguration)
            }
            #expect(server.statistics.imageRequests == 0)
            #expect(directoryEntries(directory.path).isEmpty)
        }
    }
}
