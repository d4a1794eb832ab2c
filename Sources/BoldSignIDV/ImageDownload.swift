import SystemPackage

/// What a finished image download produced.
public struct ImageDownload: Sendable {
    /// Image bytes written.
    public var bytesWritten: Int64
    /// The HTTP status (2xx).
    public var status: Int
    /// The `Content-Type` the server sent, if any.
    public var contentType: String?
    /// The format recognised from the first bytes.
    public var format: ImageFormat
    /// The rate-limit headers of the response.
    public var rateLimit: RateLimitStatus?
    /// The server's request id, if it sent one.
    public var requestID: String?
    /// How long the phases took.
    public var timing: Timing
    /// Whether the request went over a connection kept alive from an earlier one.
    public var reusedConnection: Bool
    /// For path downloads, the file now holding the image.
    public var path: FilePath?

    /// Durations from the start of the request.
    public struct Timing: Sendable, Hashable {
        /// Until the connection was up (zero when reused).
        public var connect: Duration
        /// Until the first response byte.
        public var firstByte: Duration
        /// Until the last byte.
        public var total: Duration

        /// Creates timings (for a stand-in client in tests).
        public init(connect: Duration = .zero, firstByte: Duration = .zero, total: Duration = .zero) {
            self.connect = connect
            self.firstByte = firstByte
            self.total = total
        }
    }

    /// Creates a result (for a stand-in client in tests; the client makes its own).
    public init(bytesWritten: Int64, status: Int = 200, contentType: String? = nil, format: ImageFormat, rateLimit: RateLimitStatus? = nil,
                requestID: String? = nil, timing: Timing = Timing(), reusedConnection: Bool = false, path: FilePath? = nil) {
        self.bytesWritten = bytesWritten
        self.status = status
        self.contentType = contentType
        self.format = format
        self.rateLimit = rateLimit
        self.requestID = requestID
        self.timing = timing
        self.reusedConnection = reusedConnection
        self.path = path
    }
}
