@testable import CurlTransport
import Foundation
import SystemPackage
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// Which descriptors the sweep marks close-on-exec, with real sockets. Each test hands the sweep
/// the descriptors it made itself, so tests running beside it cannot change the outcome.
@Suite struct InheritableSocketSweepTests {
    /// A socketpair as libcurl 7.88's `curl_multi_init` makes it, or a plain one.
    private struct Pair: ~Copyable {
        let read: Int32
        let write: Int32

        init(nonBlocking: Bool) throws {
            var fds: [Int32] = [-1, -1]
            let type = Int32(SOCK_STREAM.rawValue) | (nonBlocking ? Int32(SOCK_NONBLOCK.rawValue) : 0)
            guard socketpair(AF_UNIX, type, 0, &fds) == 0 else { throw Errno(rawValue: errno) }
            (read, write) = (fds[0], fds[1])
        }

        /// What `curl_multi_wakeup` does.
        func wake() { var byte: UInt8 = 1; _ = send(write, &byte, 1, Int32(MSG_DONTWAIT)) }

        var descriptors: Set<Int32> { [read, write] }

        deinit { close(read); close(write) }
    }

    private func isCloseOnExec(_ fd: Int32) -> Bool { fcntl(fd, F_GETFD) & FD_CLOEXEC != 0 }

    @Test func libcurlsPairIsMarkedAndAForeignBlockingPairIsLeftInheritable() throws {
        let wakeup = try Pair(nonBlocking: true)
        // Foundation's `Process` opens one like this and needs the child to inherit one end.
        let foreign = try Pair(nonBlocking: false)
        #expect(InheritableSocketSweep.closeOnExecWakeupPair(among: wakeup.descriptors.union(foreign.descriptors)) { wakeup.wake() })
        #expect(isCloseOnExec(wakeup.read) && isCloseOnExec(wakeup.write))
        #expect(!isCloseOnExec(foreign.read) && !isCloseOnExec(foreign.write))
        // The wake-up byte is still there for libcurl's poll.
        var byte: UInt8 = 0
        #expect(recv(wakeup.read, &byte, 1, Int32(MSG_DONTWAIT)) == 1)
    }

    @Test func aThirdNonBlockingUnixSocketMeansNothingIsMarked() throws {
        let wakeup = try Pair(nonBlocking: true)
        let foreign = try Pair(nonBlocking: true)
        #expect(!InheritableSocketSweep.closeOnExecWakeupPair(among: wakeup.descriptors.union([foreign.read])) { wakeup.wake() })
        for fd in wakeup.descriptors.union(foreign.descriptors) { #expect(!isCloseOnExec(fd)) }
    }

    @Test func aPairTheWakeDoesNotReachIsNotMarked() throws {
        let foreign = try Pair(nonBlocking: true)
        #expect(!InheritableSocketSweep.closeOnExecWakeupPair(among: foreign.descriptors) {})
        #expect(!isCloseOnExec(foreign.read) && !isCloseOnExec(foreign.write))
    }

    @Test func descriptorsThatAreNotUnixStreamSocketsAreIgnored() throws {
        let wakeup = try Pair(nonBlocking: true)
        var pipeEnds: [Int32] = [-1, -1]
        #expect(pipe(&pipeEnds) == 0)
        for fd in pipeEnds { _ = fcntl(fd, F_SETFL, O_NONBLOCK) }
        defer { close(pipeEnds[0]); close(pipeEnds[1]) }
        let datagram = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        defer { close(datagram) }
        let all = wakeup.descriptors.union(pipeEnds).union([datagram])
        #expect(InheritableSocketSweep.closeOnExecWakeupPair(among: all) { wakeup.wake() })
        #expect(!isCloseOnExec(pipeEnds[0]) && !isCloseOnExec(pipeEnds[1]) && !isCloseOnExec(datagram))
    }

    /// The hang that made the sweep strict: Foundation's `Process` reaps a child when its end of a
    /// socketpair closes, and its one manager thread then waits for that child. When a loop created
    /// on another thread marked that end close-on-exec, the manager waited for a child still running,
    /// and no other process was reaped meanwhile. Asserted by order: the short child must be reaped
    /// while the long ones still run. They run until this test kills them, so however slowly a loaded
    /// machine creates the loops, they cannot have ended on their own first (they once slept 30 s, and
    /// in a loaded CI run the test took 43 s and failed); with the old sweep the short child was not
    /// reaped at all before they were killed.
    @Test func aProcessLaunchedWhileLoopsAreCreatedIsReapedWhenItExits() async throws {
        let creating = Task.detached {
            for _ in 0..<150 {
                let loop = try CurlEventLoop(maxConcurrentTransfers: 1)
                await loop.shutdown()
            }
        }
        var sleepers: [Process] = []
        // Killed below; the limit only bounds how long they outlive a test process that crashed.
        for _ in 0..<15 {
            let sleeper = Process()
            sleeper.executableURL = URL(fileURLWithPath: "/bin/sleep")
            sleeper.arguments = ["600"]
            try launch(sleeper)
            sleepers.append(sleeper)
        }
        let running = sleepers
        // The sleepers are killed whatever happens here, and only then is anything thrown: a
        // reaped child's pid may be reused.
        var failure: (any Error)?
        var shortReaped = false
        var longOnesRan = false
        do {
            try await creating.value
            let short = Process()
            short.executableURL = URL(fileURLWithPath: "/bin/true")
            try launch(short)
            let deadline = ContinuousClock.now + .seconds(30 * timingSlack)
            while short.isRunning, ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
            }
            shortReaped = !short.isRunning
            longOnesRan = running.allSatisfy(\.isRunning)
        } catch {
            failure = error
        }
        for sleeper in running { kill(sleeper.processIdentifier, SIGKILL) }
        _ = try await onDedicatedThread { for sleeper in running { sleeper.waitUntilExit() } }
        if let failure { throw failure }
        #expect(shortReaped, "the short child was not reaped while the long ones ran")
        #expect(longOnesRan)
    }
}
