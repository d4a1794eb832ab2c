import Foundation

/// Runs blocking work (a pipe read, `waitUntilExit`) on a thread of its own, never on Swift's
/// cooperative pool: with two cores that pool has two threads, and two blocked ones stall every task.
public func onDedicatedThread<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread {
            do { continuation.resume(returning: try body()) } catch { continuation.resume(throwing: error) }
        }
        thread.start()
    }
}

/// How much slower than normal the tests may run: `BOLDSIGN_TEST_TIMING_SLACK` (default 1). The
/// sanitizer job sets it, since ThreadSanitizer slows everything several times over; the bounds it
/// scales are upper limits on how long something may take, never the lower ones a test relies on.
public let timingSlack: Double = ProcessInfo.processInfo.environment["BOLDSIGN_TEST_TIMING_SLACK"].flatMap(Double.init) ?? 1
