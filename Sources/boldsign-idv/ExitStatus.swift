import ArgumentParser
import BoldSignIDV

/// The CLI's exit codes (sysexits.h values where one fits).
enum ExitStatus: Int32, CaseIterable {
    case success = 0
    case partialFailure = 3
    case usage = 64
    case invalidInput = 65
    case notFound = 66
    case network = 69
    case serverError = 70
    case destinationExists = 73
    case outputError = 74
    case rateLimited = 75
    case permission = 77

    var meaning: String {
        switch self {
        case .success: return "success"
        case .partialFailure: return "some items of a batch failed"
        case .usage: return "usage error (bad flags)"
        case .invalidInput: return "invalid input (a request field, a manifest, HTTP 400)"
        case .notFound: return "not found (HTTP 404)"
        case .network: return "network, timeout or TLS failure"
        case .serverError: return "server error or unexpected response"
        case .destinationExists: return "the destination exists (use --overwrite)"
        case .outputError: return "output I/O error (disk full, broken pipe)"
        case .rateLimited: return "rate-limited (HTTP 429)"
        case .permission: return "authentication or permission (HTTP 401/403)"
        }
    }

    static var helpText: String {
        "Exit codes:\n" + allCases.map { "  \($0.rawValue)  \($0.meaning)" }.joined(separator: "\n")
    }

    init(for error: BoldSignError) {
        switch error.kind {
        case .invalidRequest, .invalidConfiguration, .badRequest: self = .invalidInput
        case .unauthorized, .forbidden: self = .permission
        case .notFound: self = .notFound
        case .rateLimited: self = .rateLimited
        case .connectTimeout, .stalled, .timedOut, .connectionFailed, .tlsFailed: self = .network
        case .outputFailed: self = .outputError
        case .destinationExists: self = .destinationExists
        default: self = .serverError
        }
    }

    var exitCode: ExitCode { ExitCode(rawValue) }
}
