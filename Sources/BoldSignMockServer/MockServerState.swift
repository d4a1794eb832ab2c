import NIOConcurrencyHelpers

/// What the server has seen, for tests that assert on traffic: counters and a short log of requests.
public struct MockServerStatistics: Sendable, Hashable, Codable {
    /// TCP connections accepted.
    public var connections: Int
    /// TCP connections that have closed (either side).
    public var closedConnections = 0
    /// When the last connection closed (Unix seconds), 0 before any did.
    public var lastConnectionClosedAt = 0.0
    /// Image bodies that ended before their last byte because the client went away: its connection
    /// closed (HTTP/1.1) or it reset the stream (HTTP/2).
    public var abandonedBodies = 0
    /// When the last body was abandoned (Unix seconds), 0 before any was.
    public var lastBodyAbandonedAt = 0.0
    /// HTTP requests received (all paths, admin ones excluded).
    public var requests: Int
    /// Requests to the image endpoint.
    public var imageRequests: Int
    /// Requests to the report endpoint.
    public var reportRequests: Int
    /// Image responses with status 200 whose body was started.
    public var imagesServed: Int
    /// Responses by status code (as a string, for JSON).
    public var responsesByStatus: [String: Int]

    /// Responses with this status.
    public func responses(status: Int) -> Int { responsesByStatus[String(status)] ?? 0 }

    static let zero = MockServerStatistics(
        connections: 0, requests: 0, imageRequests: 0, reportRequests: 0, imagesServed: 0, responsesByStatus: [:])
}

/// One request as the server saw it. Credential values are never kept: only which scheme was used
/// and whether it was accepted.
public struct RecordedRequest: Sendable, Hashable, Codable {
    /// The request method.
    public var method: String
    /// The request target exactly as sent (path and raw query).
    public var uri: String
    /// The protocol the request came over: `HTTP/1.1` or `HTTP/2`.
    public var httpVersion: String
    /// Headers in the order sent, with `X-API-KEY` and `Authorization` values replaced by `<redacted>`.
    public var headers: [[String]]
    /// The request body as text (lossy UTF-8).
    public var body: String
    /// `apiKey`, `bearer` or `none`.
    public var authScheme: String
    /// Whether the credential was accepted.
    public var authenticated: Bool

    /// The first value of the header `name` (case-insensitive).
    public func header(_ name: String) -> String? {
        headers.first { $0.first?.lowercased() == name.lowercased() }?.last
    }
}

/// Shared, thread-safe server state: counters, rate-limit windows, fail-first counters, request log.
final class MockServerState: Sendable {
    private struct Inner {
        var statistics = MockServerStatistics.zero
        var windows = RateLimitWindows()
        var failuresServed: [String: Int] = [:]
        var log: [RecordedRequest] = []
    }

    static let logCapacity = 256
    // A pthread-based lock rather than Synchronization.Mutex, which ThreadSanitizer cannot see on Linux.
    private let inner = NIOLockedValueBox(Inner())

    func connectionAccepted() { inner.withLockedValue { $0.statistics.connections += 1 } }
    func connectionClosed(at time: Double) {
        inner.withLockedValue {
            $0.statistics.closedConnections += 1
            $0.statistics.lastConnectionClosedAt = time
        }
    }

    func bodyAbandoned(at time: Double) {
        inner.withLockedValue {
            $0.statistics.abandonedBodies += 1
            $0.statistics.lastBodyAbandonedAt = time
        }
    }

    func requestReceived(_ request: RecordedRequest, endpoint: Endpoint?) {
        inner.withLockedValue {
            $0.statistics.requests += 1
            switch endpoint {
            case .image: $0.statistics.imageRequests += 1
            case .report: $0.statistics.reportRequests += 1
            case .embeddedVerificationURL, nil: break
            }
            if $0.log.count == Self.logCapacity { $0.log.removeFirst() }
            $0.log.append(request)
        }
    }

    func responded(status: Int, imageBody: Bool) {
        inner.withLockedValue {
            $0.statistics.responsesByStatus[String(status), default: 0] += 1
            if imageBody { $0.statistics.imagesServed += 1 }
        }
    }

    func consumeRateLimit(credential: String, policy: RateLimitPolicy, now: Double) -> RateLimitDecision? {
        inner.withLockedValue { $0.windows.consume(credential: credential, policy: policy, now: now) }
    }

    /// Counts one request against a fail-first fault; true while it should still fail.
    func shouldFail(key: String, count: Int) -> Bool {
        inner.withLockedValue {
            let served = $0.failuresServed[key, default: 0]
            guard served < count else { return false }
            $0.failuresServed[key] = served + 1
            return true
        }
    }

    var statistics: MockServerStatistics { inner.withLockedValue { $0.statistics } }
    var requestLog: [RecordedRequest] { inner.withLockedValue { $0.log } }

    func reset() { inner.withLockedValue { $0 = Inner() } }
}

enum Endpoint: Sendable {
    case image, report, embeddedVerificationURL
}
