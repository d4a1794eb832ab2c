@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import MetricsTestKit
import SystemPackage
import TestSupport
import Testing

@Suite struct RateLimitStateTests {
    private func status(remaining: Int, reset: Double, retryAfter: Duration? = nil) -> RateLimitStatus {
        RateLimitStatus(limit: 10, remaining: remaining, resetAt: Date(timeIntervalSince1970: reset), retryAfter: retryAfter)
    }

    @Test func admitsUntilTheReportedRemainingIsUsedThenWaitsForTheReset() {
        var state = RateLimitState(settings: .default)
        #expect(state.acquire(now: 100) == nil)
        #expect(state.acquire(now: 100) == nil)
        state.release(status(remaining: 3, reset: 110), status: 200, now: 101)
        // Remaining 3, one still in flight: two more may go.
        #expect(state.acquire(now: 101) == nil)
        #expect(state.acquire(now: 101) == nil)
        let wait = state.acquire(now: 102)
        #expect(wait.map { abs($0 - (8 + RateLimitState.resetMargin)) < 0.001 } == true)
        // After the reset the window is unknown again and requests go.
        #expect(state.acquire(now: 110 + RateLimitState.resetMargin) == nil)
    }

    @Test func lateResponsesFromAnOlderWindowChangeNothing() {
        var state = RateLimitState(settings: .default)
        _ = state.acquire(now: 100)
        _ = state.acquire(now: 100)
        state.release(status(remaining: 5, reset: 120), status: 200, now: 101)
        state.release(status(remaining: 0, reset: 110), status: 200, now: 101)
        #expect(state.serverRemaining == 5 && state.serverReset == 120)
    }

    @Test func a429PausesEveryRequestUntilRetryAfterOrTheReset() {
        var state = RateLimitState(settings: .default)
        _ = state.acquire(now: 100)
        state.release(status(remaining: 0, reset: 130, retryAfter: .seconds(5)), status: 429, now: 100)
        #expect(state.acquire(now: 101).map { abs($0 - 4) < 0.001 } == true)
        var other = RateLimitState(settings: .default)
        _ = other.acquire(now: 100)
        other.release(RateLimitStatus(limit: 10, remaining: 4, resetAt: Date(timeIntervalSince1970: 130)), status: 429, now: 100)
        #expect(other.acquire(now: 120).map { abs($0 - (10 + RateLimitState.resetMargin)) < 0.001 } == true)
    }

    @Test func aBudgetCapsRequestsPerWindow() {
        var state = RateLimitState(settings: RateLimiting(budget: .init(requests: 2, per: .seconds(10))))
        #expect(state.acquire(now: 0) == nil)
        #expect(state.acquire(now: 1) == nil)
        #expect(state.acquire(now: 2) == 8)
        #expect(state.acquire(now: 10) == nil)
    }

    @Test func offAdmitsEverything() {
        var state = RateLimitState(settings: .off)
        for _ in 0..<100 { #expect(state.acquire(now: 0) == nil) }
        state.release(status(remaining: 0, reset: 10), status: 429, now: 0)
        #expect(state.acquire(now: 0) == nil)
    }
}

@Suite struct ClientRateLimitTests {
    @Test func sequentialRequestsWaitForTheResetInsteadOfCollecting429s() async throws {
        try await withClientAndServer(server: .init(rateLimit: RateLimitPolicy(limit: 3, windowSeconds: 1))) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            for _ in 0..<8 {
                _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
            }
            #expect(server.statistics.responses(status: 429) == 0)
            #expect(server.statistics.imagesServed == 8)
        }
    }

    @Test func maxWaitTurnsALongWaitIntoAnError() async throws {
        try await withClientAndServer(server: .init(rateLimit: RateLimitPolicy(limit: 1, windowSeconds: 3600)),
                                      configure: { $0.rateLimiting.maxWait = .seconds(1) }) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
            let error = await expectError(.rateLimited) {
                try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
            }
            #expect(error?.retryAfter.map { $0 > .seconds(1) } == true)
            #expect(server.statistics.requests == 1)
        }
    }
}

@Suite struct MetricsTests {
    @Test func requestsBytesRetriesAnd429sAreCountedWithoutPersonalData() async throws {
        let metrics = TestMetrics()
        try await withClientAndServer(configure: { $0.metricsFactory = metrics }) { client, _ in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
            _ = try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "flaky"), into: fd)
            _ = try? await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: "nope"), into: fd)
            _ = try await client.report(documentID: sampleDocument, signer: alex)
        }
        #expect(metrics.counterTotal(label: "boldsign_idv_requests_total", dimensions: [("operation", "image"), ("outcome", "success")]) == 2)
        #expect(metrics.counterTotal(label: "boldsign_idv_requests_total", dimensions: [("operation", "image"), ("outcome", "server_error")]) == 2)
        #expect(metrics.counterTotal(label: "boldsign_idv_requests_total", dimensions: [("operation", "image"), ("outcome", "client_error")]) == 1)
        #expect(metrics.counterTotal(label: "boldsign_idv_requests_total", dimensions: [("operation", "report"), ("outcome", "success")]) == 1)
        #expect(metrics.counterTotal(label: "boldsign_idv_bytes_total", dimensions: [("operation", "image")]) == SampleImage.idCardFront.size + 4096)
        #expect(metrics.counterTotal(label: "boldsign_idv_retries_total", dimensions: [("operation", "image")]) == 2)
        #expect(try metrics.expectMeter("boldsign_idv_transfers_in_flight").lastValue == 0)
        #expect(!metrics.timers(label: "boldsign_idv_request_duration_seconds").isEmpty)
        let everyDimension = metrics.counters.flatMap { $0.dimensions.map(\.1) }
        #expect(!everyDimension.contains { $0.contains("@") || $0.contains(sampleDocument) || $0.contains(frontFile) })
    }
}
