import SystemPackage

/// The one error type the client throws. Switch on ``kind``; the other properties carry what is known.
///
/// No description ever contains a credential, and server messages are scrubbed of them too.
public struct BoldSignError: Error, Sendable, CustomStringConvertible {
    /// What went wrong, as a closed set that may grow in minor versions (compare with `==`, don't switch exhaustively).
    public struct Kind: Sendable, Hashable, CustomStringConvertible {
        private enum Code: String, Sendable, Hashable {
            case invalidRequest = "invalid request"
            case invalidConfiguration = "invalid configuration"
            case badRequest = "bad request"
            case unauthorized
            case forbidden
            case notFound = "not found"
            case rateLimited = "rate limited"
            case serverError = "server error"
            case unexpectedStatus = "unexpected status"
            case connectTimeout = "connect timeout"
            case stalled
            case timedOut = "timed out"
            case connectionFailed = "connection failed"
            case tlsFailed = "TLS failure"
            case responseTooLarge = "response too large"
            case notAnImage = "not an image"
            case decodingFailed = "undecodable response"
            case outputFailed = "output failed"
            case destinationExists = "destination exists"
            case cancelled
            case clientShutdown = "client shut down"
            case transportFailed = "transport failure"
        }

        private let code: Code

        /// A request field is invalid; nothing was sent. ``BoldSignError/field`` names it.
        public static let invalidRequest = Kind(code: .invalidRequest)
        /// The ``Configuration`` cannot be used (a base URL that is not https, say).
        public static let invalidConfiguration = Kind(code: .invalidConfiguration)
        /// HTTP 400 (and 417): the server rejected the request's form.
        public static let badRequest = Kind(code: .badRequest)
        /// HTTP 401: missing, wrong or expired credentials — or the wrong region for the account.
        public static let unauthorized = Kind(code: .unauthorized)
        /// HTTP 403: no access to this document, signer or file (BoldSign's answer to an unknown file id).
        public static let forbidden = Kind(code: .forbidden)
        /// HTTP 404.
        public static let notFound = Kind(code: .notFound)
        /// HTTP 429: the account's rate limit is used up; see ``BoldSignError/retryAfter``.
        public static let rateLimited = Kind(code: .rateLimited)
        /// HTTP 5xx.
        public static let serverError = Kind(code: .serverError)
        /// Any other non-2xx status.
        public static let unexpectedStatus = Kind(code: .unexpectedStatus)
        /// No connection within the connect timeout.
        public static let connectTimeout = Kind(code: .connectTimeout)
        /// Bytes stopped arriving for longer than the stall timeout.
        public static let stalled = Kind(code: .stalled)
        /// The call's deadline passed — ``Configuration/Timeouts/call`` or the `timeout:` of the call — while
        /// it waited for the rate limiter or a response.
        public static let timedOut = Kind(code: .timedOut)
        /// The connection could not be made or broke (including a body cut short).
        public static let connectionFailed = Kind(code: .connectionFailed)
        /// TLS handshake or certificate verification failed.
        public static let tlsFailed = Kind(code: .tlsFailed)
        /// The image was larger than ``Configuration/maxImageBytes``.
        public static let responseTooLarge = Kind(code: .responseTooLarge)
        /// A 2xx image response did not start like a JPEG, PNG, GIF or WebP image (a JSON page, say) and
        /// ``Configuration/requireImageFormat`` is set.
        public static let notAnImage = Kind(code: .notAnImage)
        /// A response body could not be decoded (a malformed report).
        public static let decodingFailed = Kind(code: .decodingFailed)
        /// Writing the image failed; ``BoldSignError/errno`` says why (`ENOSPC`, `EPIPE` …).
        public static let outputFailed = Kind(code: .outputFailed)
        /// The destination file exists and replacing it was not asked for.
        public static let destinationExists = Kind(code: .destinationExists)
        /// The calling task was cancelled.
        public static let cancelled = Kind(code: .cancelled)
        /// The client was shut down before or during the request.
        public static let clientShutdown = Kind(code: .clientShutdown)
        /// libcurl failed in a way none of the other kinds describes.
        public static let transportFailed = Kind(code: .transportFailed)

        /// The kind in words.
        public var description: String { code.rawValue }
    }

    /// What went wrong.
    public let kind: Kind
    /// The HTTP status, when a response arrived.
    public let status: Int?
    /// The server's own message (from `{"error": …}`, ProblemDetails or a plain-text body).
    public let serverMessage: String?
    /// The invalid request field, for ``Kind/invalidRequest``.
    public let field: String?
    /// How long the server asked to wait, for ``Kind/rateLimited`` and some 503s.
    public let retryAfter: Duration?
    /// The rate-limit headers of the failed response.
    public let rateLimit: RateLimitStatus?
    /// libcurl's `CURLcode`, for transport failures.
    public let curlCode: Int32?
    /// The `errno` of a failed write or file operation.
    public let errno: Errno?
    /// The server's request id, when it sent one (quote it to BoldSign's support).
    public let requestID: String?
    /// Image bytes already written into the caller's descriptor when the failure happened.
    public let bytesWritten: Int64
    /// Our explanation.
    private let detail: String

    /// Creates an error: the client makes its own; this is for a stand-in client in tests, so that code
    /// which handles the client's errors can be tested with the errors it will meet.
    ///
    /// - Parameters:
    ///   - kind: What went wrong.
    ///   - detail: The explanation ``description`` shows after the kind.
    ///   - status: ``status``.
    ///   - serverMessage: ``serverMessage``.
    ///   - field: ``field``.
    ///   - retryAfter: ``retryAfter``.
    ///   - rateLimit: ``rateLimit``.
    ///   - curlCode: ``curlCode``.
    ///   - errno: ``errno``.
    ///   - requestID: ``requestID``.
    ///   - bytesWritten: ``bytesWritten``.
    public init(_ kind: Kind, _ detail: String, status: Int? = nil, serverMessage: String? = nil, field: String? = nil,
         retryAfter: Duration? = nil, rateLimit: RateLimitStatus? = nil, curlCode: Int32? = nil, errno: Errno? = nil,
         requestID: String? = nil, bytesWritten: Int64 = 0) {
        self.kind = kind
        self.detail = detail
        self.status = status
        self.serverMessage = serverMessage
        self.field = field
        self.retryAfter = retryAfter
        self.rateLimit = rateLimit
        self.curlCode = curlCode
        self.errno = errno
        self.requestID = requestID
        self.bytesWritten = bytesWritten
    }

    /// For example `forbidden (HTTP 403): the server refused access: Invalid file ID.`
    public var description: String {
        var text = kind.description
        if let status { text += " (HTTP \(status))" }
        text += ": " + detail
        if let serverMessage, !serverMessage.isEmpty { text += ": " + serverMessage }
        if let retryAfter { text += " (retry after \(retryAfter.components.seconds) s)" }
        if let requestID { text += " [request \(requestID)]" }
        return text
    }

    static func invalidRequest(field: String, _ problem: String) -> BoldSignError {
        BoldSignError(.invalidRequest, "\(field) \(problem)", field: field)
    }

    static func invalidConfiguration(_ problem: String) -> BoldSignError {
        BoldSignError(.invalidConfiguration, problem)
    }

    /// `error` itself when it is one; otherwise a transport failure describing it.
    static func wrapping(_ error: any Error) -> BoldSignError {
        error as? BoldSignError ?? BoldSignError(.transportFailed, "\(error)")
    }
}
