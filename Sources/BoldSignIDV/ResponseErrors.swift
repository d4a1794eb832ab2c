#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
internal import CurlTransport
import SystemPackage

/// Turns transport failures and non-2xx responses into ``BoldSignError``s.
package enum ResponseErrors {
    static func error(for failure: TransferError, credentials: Credentials) -> BoldSignError {
        let message = ErrorMessageDecoder.quote(failure.message.utf8, limit: 1000, credentials: credentials)
        let written = failure.bytesWritten
        switch failure.kind {
        case .connectTimeout:
            return BoldSignError(.connectTimeout, "no connection within the connect timeout (\(message))", curlCode: failure.curlCode, bytesWritten: written)
        case .stalled:
            return BoldSignError(.stalled, "the server stopped sending within the stall timeout (\(message))",
                                 status: failure.status, curlCode: failure.curlCode, bytesWritten: written)
        case .connection:
            return BoldSignError(.connectionFailed, "the connection failed (\(message))", status: failure.status,
                                 curlCode: failure.curlCode, bytesWritten: written)
        case .tls:
            return BoldSignError(.tlsFailed, "TLS failed (\(message))", curlCode: failure.curlCode, bytesWritten: written)
        case .output:
            return BoldSignError(.outputFailed, "writing the image failed (\(message))", status: failure.status,
                                 errno: failure.errno.map(Errno.init(rawValue:)), bytesWritten: written)
        case .bodyTooLarge:
            return BoldSignError(.responseTooLarge, message, status: failure.status, curlCode: failure.curlCode, bytesWritten: written)
        case .cancelled:
            return BoldSignError(.cancelled, "the request was cancelled", bytesWritten: written)
        case .shutdown:
            return BoldSignError(.clientShutdown, message, bytesWritten: written)
        case .invalidRequest:
            return BoldSignError(.invalidRequest, message, curlCode: failure.curlCode)
        case .unsupportedLibcurl:
            return .invalidConfiguration(message)
        case .other:
            return BoldSignError(.transportFailed, message, curlCode: failure.curlCode, bytesWritten: written)
        }
    }

    static func error(for result: TransferResult, credentials: Credentials) -> BoldSignError {
        error(status: result.status, headers: result.headers, errorBody: result.errorBody, credentials: credentials)
    }

    /// The error a non-2xx response is: its status's kind, the server's message and request id fit to show,
    /// and the wait the server asked for, bounded.
    package static func error(status: Int, headers: [(name: String, value: String)], errorBody: [UInt8], credentials: Credentials) -> BoldSignError {
        let message = ErrorMessageDecoder.message(from: errorBody, credentials: credentials)
        let rateLimit = RateLimitStatus(headers: headers)
        let requestID = requestID(headers, credentials: credentials)
        let (kind, detail): (BoldSignError.Kind, String) = switch status {
        case 400, 417: (.badRequest, "the server rejected the request")
        case 401: (.unauthorized, "the credentials were refused (wrong key or token, or the account is in another region)")
        case 403: (.forbidden, "the server refused access")
        case 404: (.notFound, "the server found nothing at that address")
        case 429: (.rateLimited, "the account's rate limit is used up")
        case 500...599: (.serverError, "the server failed")
        default: (.unexpectedStatus, "the server answered with an unexpected status")
        }
        var retryAfter = rateLimit?.retryAfter
        if status == 429, retryAfter == nil, let reset = rateLimit?.resetAt {
            retryAfter = .seconds(max(0, reset.timeIntervalSinceNow))
        }
        return BoldSignError(kind, detail, status: status, serverMessage: message, retryAfter: retryAfter,
                             rateLimit: rateLimit, requestID: requestID)
    }

    /// The server's request id, cleaned and scrubbed like a server message: a header is as much the
    /// server's text as a body is, and a misbehaving proxy may echo anything into it.
    static func requestID(_ result: TransferResult, credentials: Credentials) -> String? {
        requestID(result.headers, credentials: credentials)
    }

    private static func requestID(_ headers: [(name: String, value: String)], credentials: Credentials) -> String? {
        let value = headers.first { $0.name == "x-request-id" } ?? headers.first { $0.name == "request-id" }
            ?? headers.first { $0.name == "x-correlation-id" }
        return value.map { ErrorMessageDecoder.quote($0.value.utf8, limit: 128, credentials: credentials) }
    }
}
