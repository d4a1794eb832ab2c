/// How the client keeps itself under the account's rate limit.
///
/// By default it follows the `X-RateLimit-Remaining`/`-Reset` headers of every response: when the
/// window is used up, requests wait for its reset instead of collecting 429s, and a 429 pauses every
/// request of the client until the reset or `Retry-After`. A ``budget`` adds a client-side cap, for
/// sharing an account's quota between several processes.
public struct RateLimiting: Sendable, Hashable {
    /// A client-side cap: at most `requests` per `window`.
    public struct Budget: Sendable, Hashable {
        /// Requests per window.
        public var requests: Int
        /// The window's length.
        public var window: Duration

        /// Creates a budget.
        public init(requests: Int, per window: Duration) {
            self.requests = max(1, requests)
            self.window = window
        }
    }

    /// Follow the server's rate-limit headers.
    public var followServerHeaders: Bool
    /// An extra client-side cap.
    public var budget: Budget?
    /// A request that would have to wait longer than this for the limiter fails with
    /// ``BoldSignError/Kind/rateLimited`` instead (nil: wait as long as it takes). One hour by default:
    /// BoldSign's rate-limit window, so a batch may wait for the next window but never longer.
    public var maxWait: Duration?

    /// Creates a rate-limiting setting.
    public init(followServerHeaders: Bool = true, budget: Budget? = nil, maxWait: Duration? = .seconds(3600)) {
        self.followServerHeaders = followServerHeaders
        self.budget = budget
        self.maxWait = maxWait
    }

    /// Follow the server's headers, no budget, wait at most an hour.
    public static let `default` = RateLimiting()
    /// No client-side limiting at all.
    public static let off = RateLimiting(followServerHeaders: false)
}
