import Foundation
import TestSupport
import Testing

/// A daemon that links us may spawn children at any moment: none of them may inherit a socket (or
/// an image file) of a transfer in flight.
///
/// The check runs in `boldsign-soak`, a process of its own: this test runner is full of other
/// tests' inheritable descriptors (their in-process servers and pipes), which would drown the signal.
@Suite struct ProcessHygieneTests {
    @Test func aChildSpawnedDuringTransfersInheritsNothingOfTheClients() async throws {
        let run = try await ChildProcess.run(TestPaths.product("boldsign-soak"), ["--downloads", "100", "--mock", TestPaths.product("boldsign-mock")])
        #expect(run.status == 0, "\(run.text)\(run.stderr)")
        #expect(run.text.contains("a child spawned during 2 transfers inherited nothing of the client's"), "\(run.text)")
        #expect(run.text.contains("soak: PASS"))
    }
}
