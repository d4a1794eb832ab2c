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
    }

    /// How a request ended: the `outcome` dimension.
    enum Outcome: String, Sendable {
        case success, clientError = "client_error", rateLimited = "rate_limited", serverError = "server_error"
        case transportError = "transport_error", outputError = "output_error", cancelled
    }

    /// One operation's instruments.
    private struct OperationInstruments: Sendable {
        let success, clientError, rateLimited, serverError, transportError, outputError, cancelled: Counter
        let bytes: Counter
        let retries: Counter
        let duration: Timer

        init(_ operation: Operation, factory: any MetricsFactory) {
            let name = ("operation", operation.rawValue)
            func requests(_ outcome: Outcome) -> Counter {
                Counter(label: "boldsign_idv_requests_total", dimensions: [name, ("outcome", outcome.rawValue)], factory: factory)
            }
            (success, clientError, rateLimited, serverError) = (requests(.success), requests(.clientError), requests(.rateLimited), requests(.serverError))
            (transportError, outputError, cancelled) = (requests(.transportError), requests(.outputError), requests(.cancelled))
            bytes = Counter(label: "boldsign_idv_bytes_total", dimensions: [name], factory: factory)
            retries = Counter(label: "boldsign_idv_retries_total", dimensions: [name], factory: factory)
            duration = Timer(label: "boldsign_idv_request_duration_seconds", dimensions: [name], preferredDisplayUnit: .seconds, factory: factory)
        }

        func requests(_ outcome: Outcome) -> Counter {
            switch outcome {
            case .success: success
            case .clientError: clientError
            case .rateLimited: rateLimited
            case .serverError: serverError
            case .transportError: transportError
            case .outputError: outputError
            case .cancelled: cancelled
            }
        }
    }

    let rateLimited: Counter
    let inFlight: Meter
    let limiterWait: Timer
    // Created once, as swift-metrics intends: creating them per request asked the factory (a lookup
    // under a lock in real backends) for four instruments on every download. Stored properties, not
    // dictionaries: filling dictionaries cost a single download ~0.5 M instructions at start-up.
    private let image: OperationInstruments
    private let report: OperationInstruments

    init(factory: any MetricsFactory) {
        rateLimited = Counter(label: "boldsign_idv_rate_limited_total", factory: factory)
        inFlight = Meter(label: "boldsign_idv_transfers_in_flight", factory: factory)
        limiterWait = Timer(label: "boldsign_idv_rate_limiter_wait_seconds", preferredDisplayUnit: .seconds, factory: factory)
        image = OperationInstruments(.image, factory: factory)
        report = OperationInstruments(.report, factory: factory)
    }

    private func instruments(_ operation: Operation) -> OperationInstruments {
        switch operation {
        case .image: image
        case .report: report
        }
    }

    func request(_ operation: Operation, outcome: Outcome) {
        instruments(operation).requests(outcome).increment()
    }

    func bytes(_ operation: Operation, _ count: Int64) {
        guard count > 0 else { return }
        instruments(operation).bytes.increment(by: count)
    }

    func retry(_ operation: Operation) {
        instruments(operation).retries.increment()
    }

    func duration(_ operation: Operation, _ duration: Duration) {
        instruments(operation).duration.recordNanoseconds(Int64(duration.seconds * 1e9))
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
