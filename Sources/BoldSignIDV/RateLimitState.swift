/// The client-wide rate-limit bookkeeping, as a pure state machine over time in seconds.
///
/// ``acquire(now:)`` either admits a request (counting it in flight) or says how long to wait;
/// ``release(_:status:now:)`` takes what the response reported.
package struct RateLimitState {
    /// Seconds added after a reset time, so a request never lands in the closing window.
    static let resetMargin = 0.25

    let settings: RateLimiting
    private(set) var inFlight = 0
    private(set) var serverRemaining: Int?
    private(set) var serverReset: Double?
    private(set) var pausedUntil: Double?
    private var budgetWindowStart: Double?
    private var budgetUsed = 0

    package init(settings: RateLimiting) {
        self.settings = settings
    }

    /// Admits a request (returns nil) or returns the seconds to wait before asking again.
    package mutating func acquire(now: Double) -> Double? {
        if let pausedUntil {
            if now < pausedUntil { return pausedUntil - now }
            self.pausedUntil = nil
        }
        if let reset = serverReset, now >= reset + Self.resetMargin {
            serverReset = nil
            serverRemaining = nil
        }
        if settings.followServerHeaders, let remaining = serverRemaining, let reset = serverReset, remaining - inFlight <= 0 {
            return reset + Self.resetMargin - now
        }
        if let budget = settings.budget {
            let window = budget.window.seconds
            if let start = budgetWindowStart, now < start + window {
                if budgetUsed >= budget.requests { return start + window - now }
            } else {
                budgetWindowStart = now
                budgetUsed = 0
            }
            budgetUsed += 1
        }
        inFlight += 1
        return nil
    }

    /// Records a finished request and what its response said about the limit.
    package mutating func release(_ report: RateLimitStatus?, status: Int?, now: Double) {
        inFlight = max(0, inFlight - 1)
        guard settings.followServerHeaders else { return }
        if let report, let remaining = report.remaining, let reset = report.resetAt?.timeIntervalSince1970 {
            if let current = serverReset, abs(reset - current) < 0.5 {
                serverRemaining = min(serverRemaining ?? remaining, remaining)
            } else if serverReset.map({ reset > $0 }) ?? (reset > now) {
                // A newer window; a response from an older one, arriving late, changes nothing.
                serverReset = reset
                serverRemaining = remaining
            }
        }
        if status == 429 {
            // Retry-After says exactly how long; without it the window's reset is the answer.
            var until = now + 1
            if let retryAfter = report?.retryAfter {
                until = max(until, now + retryAfter.seconds)
            } else if let reset = report?.resetAt?.timeIntervalSince1970, reset > now {
                until = max(until, reset + Self.resetMargin)
            }
            pausedUntil = max(pausedUntil ?? 0, until)
        }
    }
}
