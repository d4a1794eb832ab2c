/// BoldSign's per-account rate limit: a fixed window per credential.
public struct RateLimitPolicy: Sendable, Hashable, Codable {
    /// Requests allowed per window; `0` turns rate limiting off.
    public var limit: Int
    /// The window's length in seconds.
    public var windowSeconds: Double

    /// Creates a policy.
    public init(limit: Int, windowSeconds: Double) {
        self.limit = max(0, limit)
        self.windowSeconds = max(0.001, windowSeconds)
    }

    /// BoldSign's live limit: 2000 requests an hour.
    public static let live = RateLimitPolicy(limit: 2000, windowSeconds: 3600)
    /// BoldSign's sandbox limit: 50 requests an hour.
    public static let sandbox = RateLimitPolicy(limit: 50, windowSeconds: 3600)
    /// No limit, and no rate-limit headers.
    public static let off = RateLimitPolicy(limit: 0, windowSeconds: 3600)
}

/// What the limiter decided for one request, and the headers that say so.
struct RateLimitDecision: Sendable, Equatable {
    var allowed: Bool
    var limit: Int
    var remaining: Int
    /// Unix time (seconds) when the window resets.
    var reset: Int64
    /// Whole seconds until the reset, at least 1.
    var retryAfter: Int

    var headers: [(String, String)] {
        [("X-RateLimit-Limit", String(limit)), ("X-RateLimit-Remaining", String(remaining)), ("X-RateLimit-Reset", String(reset))]
    }
}

/// Fixed-window counters per credential. Not thread-safe: ``MockServerState`` guards it.
struct RateLimitWindows {
    private var windows: [String: (start: Double, count: Int)] = [:]

    mutating func consume(credential: String, policy: RateLimitPolicy, now: Double) -> RateLimitDecision? {
        guard policy.limit > 0 else { return nil }
        let start = (now / policy.windowSeconds).rounded(.down) * policy.windowSeconds
        var window = windows[credential] ?? (start, 0)
        if window.start != start { window = (start, 0) }
        let allowed = window.count < policy.limit
        if allowed { window.count += 1 }
        windows[credential] = window
        let resetTime = start + policy.windowSeconds
        return RateLimitDecision(
            allowed: allowed,
            limit: policy.limit,
            remaining: policy.limit - window.count,
            reset: Int64(resetTime.rounded(.up)),
            retryAfter: max(1, Int((resetTime - now).rounded(.up)))
        )
    }

    mutating func reset() { windows.removeAll() }
}
