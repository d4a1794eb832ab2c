#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The account's rate-limit state as the server reported it on one response.
public struct RateLimitStatus: Sendable, Hashable {
    /// `X-RateLimit-Limit`: requests allowed per window.
    public var limit: Int?
    /// `X-RateLimit-Remaining`: requests left in this window.
    public var remaining: Int?
    /// `X-RateLimit-Reset`: when the window resets.
    public var resetAt: Date?
    /// `Retry-After`: how long to wait before the next request (on 429 and some 503s).
    public var retryAfter: Duration?

    /// Creates a status.
    public init(limit: Int? = nil, remaining: Int? = nil, resetAt: Date? = nil, retryAfter: Duration? = nil) {
        self.limit = limit
        self.remaining = remaining
        self.resetAt = resetAt
        self.retryAfter = retryAfter
    }

    /// Reads the headers of one response; nil when it carried none of them.
    package init?(headers: [(name: String, value: String)], now: Date = Date()) {
        func value(_ name: String) -> String? { headers.first { $0.name == name }?.value }
        limit = value("x-ratelimit-limit").flatMap { Int($0.trimmingSpaces) }
        remaining = value("x-ratelimit-remaining").flatMap { Int($0.trimmingSpaces) }
        resetAt = value("x-ratelimit-reset").flatMap { HTTPHeaderTime.resetTime($0, now: now) }
        retryAfter = value("retry-after").flatMap { HTTPHeaderTime.retryAfter($0, now: now) }
        if limit == nil, remaining == nil, resetAt == nil, retryAfter == nil { return nil }
    }
}

/// Parses the time values of rate-limit headers without Foundation's formatters.
package enum HTTPHeaderTime {
    /// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Negative or absurd values give nil.
    package static func retryAfter(_ text: String, now: Date) -> Duration? {
        let trimmed = text.trimmingSpaces
        if let seconds = Int(trimmed) {
            return (0...86_400 * 7).contains(seconds) ? .seconds(seconds) : nil
        }
        guard let date = httpDate(trimmed) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return seconds <= 86_400 * 7 ? .milliseconds(Int64(seconds * 1000)) : nil
    }

    /// `X-RateLimit-Reset`: BoldSign sends Unix seconds; small numbers are read as a delay and HTTP-dates are accepted.
    package static func resetTime(_ text: String, now: Date) -> Date? {
        let trimmed = text.trimmingSpaces
        if let number = Double(trimmed), number.isFinite, number >= 0 {
            // Below ~2001-09-09 a value cannot be a Unix time this API sends; treat it as seconds from now.
            return number < 1_000_000_000 ? now.addingTimeInterval(number) : Date(timeIntervalSince1970: number)
        }
        return httpDate(trimmed)
    }

    /// IMF-fixdate, the only HTTP-date form senders may generate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    static func httpDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
              let day = Int(parts[1]), (1...31).contains(day),
              let monthIndex = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"].firstIndex(of: String(parts[2])),
              let year = Int(parts[3]), (1970...9999).contains(year) else { return nil }
        let clock = parts[4].split(separator: ":")
        guard clock.count == 3, let hour = Int(clock[0]), let minute = Int(clock[1]), let second = Int(clock[2]),
              (0...23).contains(hour), (0...59).contains(minute), (0...60).contains(second) else { return nil }
        let days = CivilDate.daysSinceEpoch(year: year, month: monthIndex + 1, day: day)
        return Date(timeIntervalSince1970: Double(days * 86_400 + hour * 3600 + minute * 60 + second))
    }
}

extension StringProtocol {
    var trimmingSpaces: String {
        var slice = Substring(self)
        while slice.first == " " || slice.first == "\t" { slice = slice.dropFirst() }
        while slice.last == " " || slice.last == "\t" { slice = slice.dropLast() }
        return String(slice)
    }
}
