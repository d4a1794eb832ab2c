@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

@Suite struct GracefulShutdownTests {
    @Test func aDrainingShutdownLetsTransfersInFlightFinishAndRefusesNewOnes() async throws {
        let directory = try TemporaryDirectory()
        try await withClientAndServer { client, server in
            let quick = (0..<3).map { index in
                Task { try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "latency"),
                                                      to: FilePath(directory.path + "/latency-\(index)")) }
            }
            while server.statistics.imageRequests < 3 { try await Task.sleep(for: .milliseconds(10)) }
            let draining = Task { await client.shutdown(gracePeriod: .seconds(30 * timingSlack)) }
            // Once the shutdown has begun nothing new is taken, while the three above (answered after 1.5 s) still run.
            try await Task.sleep(for: .milliseconds(100))
            await expectError(.clientShutdown) { try await client.report(documentID: sampleDocument, signer: alex) }
            #expect(server.statistics.reportRequests == 0)
            #expect(await draining.value, "every transfer finished within the grace period")
            for task in quick { #expect(try await task.value.bytesWritten == 4096) }
            #expect(Set(directoryEntries(directory.path)) == ["latency-0", "latency-1", "latency-2"])
        }
    }

    @Test func aTransferThatOutlivesTheGracePeriodIsCancelledAndLeavesNoFile() async throws {
        let directory = try TemporaryDirectory()
        try await withClientAndServer { client, server in
            let stuck = Task { try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "stall"),
                                                              to: FilePath(directory.path + "/stall")) }
            while server.statistics.imageRequests < 1 { try await Task.sleep(for: .milliseconds(10)) }
            let clock = ContinuousClock()
            let started = clock.now
            #expect(await client.shutdown(gracePeriod: .milliseconds(300)) == false)
            // Under the 30 s stall, which it would otherwise wait out; loose because a loaded two-core run has
            // delayed task scheduling by up to 18 s.
            #expect(clock.now - started < .seconds(25))
            await expectError(.clientShutdown) { try await stuck.value }
            #expect(directoryEntries(directory.path).isEmpty)
        }
    }

    @Test func aDrainingShutdownWithNothingInFlightReturnsAtOnce() async throws {
        try await withClientAndServer { client, _ in
            let clock = ContinuousClock()
            let started = clock.now
            // An hour's grace: waiting it out would be unmistakable, however loaded the machine (a busy
            // two-core run has delayed the shutdown's own work by up to 18 s).
            #expect(await client.shutdown(gracePeriod: .seconds(3600)))
            #expect(clock.now - started < .seconds(120), "it must not wait out the grace period")
            await expectError(.clientShutdown) { try await client.report(documentID: sampleDocument, signer: alex) }
        }
    }
}
