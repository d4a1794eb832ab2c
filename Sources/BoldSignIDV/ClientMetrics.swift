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

    func request(_ operation: String, outcome: String) {
        Counter(label: "boldsign_idv_requests_total", dimensions: [("operation", operation), ("outcome", outcome)], factory: factory).increment()
    }

    func bytes(_ operation: String, _ count: Int64) {
        guard count > 0 else { return }
        Counter(label: "boldsign_idv_bytes_total", dimensions: [("operation", operation)], factory: factory).increment(by: count)
    }

    func retry(_ operation: String) {
        Counter(label: "boldsign_idv_retries_total", dimensions: [("operation", operation)], factory: factory).increment()
    }

    func duration(_ operation: String, _ duration: Duration) {
        Timer(label: "boldsign_idv_request_duration_seconds", dimensions: [("operation", operation)], preferredDisplayUnit: .seconds,
              factory: factory).recordNanoseconds(Int64(duration.seconds * 1e9))
    }

    static func outcome(of error: BoldSignError) -> String {
        switch error.kind {
        case .rateLimited: return "rate_limited"
        case .serverError, .unexpectedStatus, .decodingFailed, .notAnImage: return "server_error"
        case .badRequest, .unauthorized, .forbidden, .notFound, .invalidRequest, .destinationExists, .invalidConfiguration: return "client_error"
        case .outputFailed: return "output_error"
        case .cancelled, .clientShutdown: return "cancelled"
        default: return "transport_error"
        }
    }
}
