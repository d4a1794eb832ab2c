/// When and how a failed request is tried again.
///
/// Only failures that say nothing about the request itself are retried: HTTP 429, 502, 503 and 504,
/// and connection failures before any response arrived. A 400, 401, 403 or 404 never is. Delays grow
/// exponentially with full jitter up to ``maxDelay``; a server's `Retry-After` (or, on a 429,
/// `X-RateLimit-Reset`) replaces the computed delay.
public struct RetryPolicy: Sendable, Hashable {
    /// Attempts in all, the first included; `1` turns retrying off.
    public var maxAttempts: Int
    /// The first retry waits up to this long.
    public var baseDelay: Duration
    /// No computed delay is longer than this.
    public var maxDelay: Duration
    /// A server-requested wait longer than this ends the retries instead (the error carries `retryAfter`).
    public var maxServerRequestedDelay: Duration
    /// The statuses worth another try.
    public var retryableStatuses: Set<Int>

    /// Creates a policy.
    public init(maxAttempts: Int = 4, baseDelay: Duration = .milliseconds(500), maxDelay: Duration = .seconds(30),
                maxServerRequestedDelay: Duration = .seconds(3600), retryableStatuses: Set<Int> = [429, 502, 503, 504]) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = baseDelay
        self.maxDelay = maxDelay
        self.maxServerRequestedDelay = maxServerRequestedDelay
        self.retryableStatuses = retryableStatuses
    }

    /// Four attempts, 0.5 s base, 30 s cap.
    public static let `default` = RetryPolicy()
    /// One attempt: no retries.
    public static let none = RetryPolicy(maxAttempts: 1)
}

/// Decides whether attempt `attempt` (1-based) that failed with `error` is followed by another, and after how long.
package enum RetryPlanner {
    package static func delay(after error: BoldSignError, attempt: Int, policy: RetryPolicy, outputRewindable: Bool,
                      random: (ClosedRange<Double>) -> Double = { Double.random(in: $0) }) -> Duration? {
        guard attempt < policy.maxAttempts, isRetryable(error, policy: policy, outputRewindable: outputRewindable) else { return nil }
        if let requested = error.retryAfter {
            return requested <= policy.maxServerRequestedDelay ? requested : nil
        }
        // Full jitter: anywhere between zero and the exponential ceiling.
        let exponent = Double(1 << min(attempt - 1, 30))
        let ceiling = min(policy.maxDelay.seconds * 1.0, policy.baseDelay.seconds * exponent)
        return .seconds(random(0...max(0, ceiling)))
    }

    /// `outputRewindable`: the output can be put back as it was before the attempt (a regular file, or nothing written yet).
    static func isRetryable(_ error: BoldSignError, policy: RetryPolicy, outputRewindable: Bool) -> Bool {
        switch error.kind {
        case .connectTimeout:
            return true
        case .connectionFailed, .stalled:
            // Before any body byte always; after, only when the partial body can be taken back out of the output.
            return error.bytesWritten == 0 || outputRewindable
        case .badRequest, .unauthorized, .forbidden, .notFound, .rateLimited, .serverError, .unexpectedStatus:
            return error.status.map(policy.retryableStatuses.contains) ?? false
        default:
            return false
        }
    }
}
