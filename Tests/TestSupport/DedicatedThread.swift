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
