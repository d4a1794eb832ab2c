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

/// Parses the time values of rate-limit headers.
package enum HTTPHeaderTime {
    /// `Retry-After`: delay-seconds or an HTTP-date (RFC 9110 §10.2.3). Negative or absurd values give nil.
    package static func retryAfter(_ text: String, now: Date) -> Duration? {
        let trimmed = text.trimmingSpaces
        if let seconds = Int(trimmed) {
            return (0...86_400 * 7).contains(seconds) ? .seconds(seconds) : nil
        }
        guard let date = httpDate(trimmed) else { return nil }
        let seconds = max(0, date.timeIntervalSince(now))
        return seconds <= 86_400 * 7 ? .seconds(seconds) : nil
    }

    /// How far ahead a reset time may lie and still be believed. BoldSign's windows are an hour long; a
    /// reset further ahead than this is a server's or a proxy's mistake (a time in milliseconds read as
    /// seconds, a garbled number), and trusting it would stop the client for that long.
    package static let maximumResetHorizon: Double = 86_400

    /// `X-RateLimit-Reset`: BoldSign sends Unix seconds; small numbers are read as a delay, a Unix time in
    /// milliseconds is recognised, and HTTP-dates are accepted. Nil for anything else, and for a time more
    /// than ``maximumResetHorizon`` ahead.
    package static func resetTime(_ text: String, now: Date) -> Date? {
        let trimmed = text.trimmingSpaces
        let nowSeconds = now.timeIntervalSince1970
        let seconds: Double
        if let number = Double(trimmed), number.isFinite, number >= 0 {
            switch number {
            // Below ~2001-09-09 a value cannot be a Unix time this API sends; it is seconds from now.
            case ..<1_000_000_000: seconds = nowSeconds + number
            // Unix milliseconds from 2001 to the year 33658: nothing in seconds lies that far ahead.
            case 1_000_000_000_000..<1_000_000_000_000_000: seconds = number / 1000
            default: seconds = number
            }
        } else if let date = httpDate(trimmed) {
            seconds = date.timeIntervalSince1970
        } else {
            return nil
        }
        guard seconds <= nowSeconds + maximumResetHorizon else { return nil }
        return Date(timeIntervalSince1970: seconds)
    }

    /// IMF-fixdate, the only HTTP-date form senders may generate: `Sun, 06 Nov 1994 08:49:37 GMT`.
    /// FoundationEssentials has no HTTP-date style, so its fields are put in ISO 8601 order for
    /// ``ISO8601Timestamp``, which checks the ranges and leaves the calendar to `ISO8601FormatStyle`.
    static func httpDate(_ text: String) -> Date? {
        let parts = text.split(separator: " ")
        let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT", parts[1].count == 2, parts[3].count == 4,
              parts[4].count == 8, let month = months.firstIndex(of: String(parts[2])) else { return nil }
        let monthText = month < 9 ? "0\(month + 1)" : "\(month + 1)"
        return ISO8601Timestamp.parse("\(parts[3])-\(monthText)-\(parts[1])T\(parts[4])Z")
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
