import CoreMetrics

/// The client's swift-metrics instruments. Labels carry only the operation and a coarse outcome:
/// never a document id, file id, signer or credential.
///
/// | metric | type | dimensions |
/// |---|---|---|
/// | `boldsign_idv_requests_total` | counter | `operation` (`image`, `report`), `outcome` (`success`, `client_error`, `rate_limited`, `server_error`, `transport_error`, `output_error`, `cancelled`) |
/// | `boldsign_idv_bytes_total` | counter | `operation` |
/// | `boldsign_idv_retries_total` | counter | `operation` |
/// | `boldsign_idv_rate_limited_total` | counter | — (responses with status 429) |
/// | `boldsign_idv_transfers_in_flight` | meter | — |
/// | `boldsign_idv_request_duration_seconds` | timer | `operation` |
/// | `boldsign_idv_rate_limiter_wait_seconds` | timer | — |
struct ClientMetrics: Sendable {
    /// The API operation a request belongs to: the `operation` dimension.
    enum Operation: String, CaseIterable, Sendable {
        case image, report
    }

    /// How a request ended: the `outcome` dimension.
    enum Outcome: String, CaseIterable, Sendable {
        case success, clientError = "client_error", rateLimited = "rate_limited", serverError = "server_error"
        case transportError = "transport_error", outputError = "output_error", cancelled
    }

    /// One operation's instruments.
    private struct OperationInstruments: Sendable {
        let requests: [Outcome: Counter]
        let bytes: Counter
        let retries: Counter
        let duration: Timer
    }

    let rateLimited: Counter
    let inFlight: Meter
    let limiterWait: Timer
    // Created once, as swift-metrics intends: creating them per request asked the factory (a lookup
    // under a lock in real backends) for four instruments on every download.
    private let instruments: [Operation: OperationInstruments]

    init(factory: any MetricsFactory) {
        rateLimited = Counter(label: "boldsign_idv_rate_limited_total", factory: factory)
        inFlight = Meter(label: "boldsign_idv_transfers_in_flight", factory: factory)
        limiterWait = Timer(label: "boldsign_idv_rate_limiter_wait_seconds", preferredDisplayUnit: .seconds, factory: factory)
        var instruments: [Operation: OperationInstruments] = [:]
        for operation in Operation.allCases {
            let name = ("operation", operation.rawValue)
            var requests: [Outcome: Counter] = [:]
            for outcome in Outcome.allCases {
                requests[outcome] = Counter(label: "boldsign_idv_requests_total", dimensions: [name, ("outcome", outcome.rawValue)], factory: factory)
            }
            instruments[operation] = OperationInstruments(
                requests: requests,
                bytes: Counter(label: "boldsign_idv_bytes_total", dimensions: [name], factory: factory),
                retries: Counter(label: "boldsign_idv_retries_total", dimensions: [name], factory: factory),
                duration: Timer(label: "boldsign_idv_request_duration_seconds", dimensions: [name], preferredDisplayUnit: .seconds, factory: factory))
        }
        self.instruments = instruments
    }

    func request(_ operation: Operation, outcome: Outcome) {
        instruments[operation]?.requests[outcome]?.increment()
    }

    func bytes(_ operation: Operation, _ count: Int64) {
        guard count > 0 else { return }
        instruments[operation]?.bytes.increment(by: count)
    }

    func retry(_ operation: Operation) {
        instruments[operation]?.retries.increment()
    }

    func duration(_ operation: Operation, _ duration: Duration) {
        instruments[operation]?.duration.recordNanoseconds(Int64(duration.seconds * 1e9))
    }

    static func outcome(of error: BoldSignError) -> Outcome {
        switch error.kind {
        case .rateLimited: return .rateLimited
        case .serverError, .unexpectedStatus, .decodingFailed, .notAnImage: return .serverError
        case .badRequest, .unauthorized, .forbidden, .notFound, .invalidRequest, .destinationExists, .invalidConfiguration: return .clientError
        case .outputFailed: return .outputError
        case .cancelled, .clientShutdown: return .cancelled
        default: return .transportError
        }
    }
}
