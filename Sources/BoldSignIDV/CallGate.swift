internal import CurlTransport

/// Counts the client's calls in flight and stops admitting new ones once the client shuts down, so that
/// a graceful shutdown can wait for what it already accepted.
final class CallGate: Sendable {
    private struct State {
        var closed = false
        var inFlight = 0
    }

    // `Locked` (a pthread mutex), not `Synchronization.Mutex`, which ThreadSanitizer cannot see on Linux.
    private let state = Locked(State())

    /// Admits a call; pair with ``leave()``.
    ///
    /// - Throws: ``BoldSignError/Kind/clientShutdown`` once ``close()`` was called.
    func enter() throws(BoldSignError) {
        let admitted = state.withLock { state in
            guard !state.closed else { return false }
            state.inFlight += 1
            return true
        }
        guard admitted else { throw BoldSignError(.clientShutdown, "the client is shutting down and takes no new requests") }
    }

    func leave() {
        state.withLock { $0.inFlight -= 1 }
    }

    /// Refuses every later call.
    func close() {
        state.withLock { $0.closed = true }
    }

    /// Returns once no call is in flight, `limit` has passed, or the task is cancelled; true when idle.
    func waitUntilIdle(limit: Duration) async -> Bool {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        // Polled: this runs once, at shutdown, where a few milliseconds of latency cost nothing and a
        // continuation raced against a timer would be the only tricky code here.
        while state.withLock({ $0.inFlight }) > 0 {
            guard clock.now < deadline, !Task.isCancelled else { return false }
            try? await Task.sleep(for: .milliseconds(5))
        }
        return true
    }
}
