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
    enum Operation: String, Sendable {
        case image, report
        case embeddedVerificationURL = "embedded_verification_url"
    }

    /// How a request ended: the `outcome` dimension.
    enum Outcome: String, Sendable {
        case success, clientError = "client_error", rateLimited = "rate_limited", serverError = "server_error"
        case transportError = "transport_error", outputError = "output_error", cancelled
    }

    private let factory: any MetricsFactory
    let rateLimited: Counter
    let inFlight: Meter
    let limiterWait: Timer

    init(factory: any MetricsFactory) {
        self.factory = factory
        rateLimited = Counter(label: "boldsign_idv_rate_limited_total", factory: factory)
        inFlight = Meter(label: "boldsign_idv_transfers_in_flight", factory: factory)
        limiterWait = Timer(label: "boldsign_idv_rate_limiter_wait_seconds", preferredDisplayUnit: .seconds, factory: factory)
    }

    // Instruments with dimensions are made per use (backends hand back the same one for the same label
    // and dimensions). Making all twenty up front saved ~3 k instructions a request but cost every
    // process, a one-image one too, their creation at start-up: not worth it.
    func request(_ operation: Operation, outcome: Outcome) {
        Counter(label: "boldsign_idv_requests_total", dimensions: [("operation", operation.rawValue), ("outcome", outcome.rawValue)],
                factory: factory).increment()
    }

    func bytes(_ operation: Operation, _ count: Int64) {
        guard count > 0 else { return }
        Counter(label: "boldsign_idv_bytes_total", dimensions: [("operation", operation.rawValue)], factory: factory).increment(by: count)
    }

    func retry(_ operation: Operation) {
        Counter(label: "boldsign_idv_retries_total", dimensions: [("operation", operation.rawValue)], factory: factory).increment()
    }

    func duration(_ operation: Operation, _ duration: Duration) {
        Timer(label: "boldsign_idv_request_duration_seconds", dimensions: [("operation", operation.rawValue)], preferredDisplayUnit: .seconds,
              factory: factory).recordNanoseconds(duration.saturatingNanoseconds)
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
