#if ServiceLifecycle
@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import Logging
import ServiceLifecycle
import SystemPackage
import TestSupport
import Testing

@Suite struct ServiceLifecycleTests {
    /// Tells the test when the group runs its services, by which time it has installed its signal handlers.
    struct Probe: Service {
        let started: AsyncStream<Void>.Continuation
        func run() async throws {
            started.yield()
            try? await gracefulShutdown()
        }
    }

    @Test func onSIGTERMTheClientFinishesWhatItCanWithinItsGracePeriodAndCancelsTheRest() async throws {
        let directory = try TemporaryDirectory()
        // Long enough for the three 1.5 s responses on a loaded machine, short of the 30 s stall.
        let grace = Duration.seconds(8)
        try await withClientAndServer(configure: { $0.shutdownGracePeriod = grace }) { client, server in
            let (started, continuation) = AsyncStream<Void>.makeStream()
            let group = ServiceGroup(services: [client, Probe(started: continuation)], gracefulShutdownSignals: [.sigterm],
                                     logger: Logger(label: "test"))
            let running = Task { try await group.run() }
            for await _ in started { break }

            // Three responses that come after 1.5 s — within the grace period — and one that stalls for 30 s.
            let quick = (0..<3).map { index in
                Task { try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "latency"),
                                                      to: FilePath(directory.path + "/latency-\(index)")) }
            }
            let stuck = Task { try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "stall"),
                                                              to: FilePath(directory.path + "/stall")) }
            while server.statistics.imageRequests < 4 { try await Task.sleep(for: .milliseconds(10)) }

            let clock = ContinuousClock()
            let signalled = clock.now
            kill(getpid(), SIGTERM)
            try await running.value
            let took = clock.now - signalled

            // Alone it stops a few milliseconds after the grace period; in the parallel suite on two cores task
            // scheduling has taken up to 10 s more. Without the cancellation it would wait out the 30 s stall.
            #expect(took < .seconds(25), "the group took \(took) to stop")
            #expect(took >= grace - .milliseconds(100), "the stalled transfer should have been given the grace period")
            for task in quick { #expect(try await task.value.bytesWritten == 4096) }
            do {
                _ = try await stuck.value
                Issue.record("the stalled download should have been cancelled by the shutdown")
            } catch let error as BoldSignError {
                #expect(error.kind == .clientShutdown, "\(error)")
            }
            await expectError(.clientShutdown) { try await client.report(documentID: sampleDocument, signer: alex) }
            #expect(Set(directoryEntries(directory.path)) == ["latency-0", "latency-1", "latency-2"])
        }
    }
}
#endif
