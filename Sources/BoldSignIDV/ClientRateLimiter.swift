#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
internal import CurlTransport

/// The client-wide rate limiter: ``RateLimitState`` behind a mutex, with waiting done by sleeping tasks.
final class ClientRateLimiter: Sendable {
    private let state: Locked<RateLimitState>
    private let maxWait: Duration?

    init(settings: RateLimiting) {
        state = Locked(RateLimitState(settings: settings))
        maxWait = settings.maxWait
    }

    /// Waits until a request may go; returns how long it waited.
    ///
    /// - Throws: `CancellationError` when the task is cancelled while waiting; ``BoldSignError`` (rate limited)
    ///   when the wait would exceed ``RateLimiting/maxWait``, or timed out when it would end after `deadline`.
    func acquire(deadline: ContinuousClock.Instant?) async throws -> Duration {
        let clock = ContinuousClock()
        let started = clock.now
        while true {
            let wait = state.withLock { $0.acquire(now: Date().timeIntervalSince1970) }
            guard let wait else { return clock.now - started }
            let delay = Duration.seconds(wait, rounding: .up)
            if let maxWait, clock.now - started + delay > maxWait {
                throw BoldSignError(.rateLimited, "the client-side rate limiter would make this request wait \(delay.wholeSecondsRoundedUp) s",
                                    retryAfter: delay)
            }
            // Waiting only to fail at the deadline would hold the caller for nothing.
            if let deadline, clock.now + delay > deadline {
                throw BoldSignError(.timedOut, "the rate limiter would make this request wait \(delay.wholeSecondsRoundedUp) s, past the call's deadline",
                                    retryAfter: delay)
            }
            try await Task.sleep(for: min(delay, .seconds(5)))
        }
    }

    /// Records a finished request.
    func release(_ report: RateLimitStatus?, status: Int?) {
        state.withLock { $0.release(report, status: status, now: Date().timeIntervalSince1970) }
    }
}
