internal import CurlTransport
import CoreMetrics
import Logging
import SystemPackage

/// A long-lived client for BoldSign's identity-verification endpoints.
///
/// One client owns one transfer thread, a libcurl multi handle (connection, DNS and TLS session
/// caches) and a small pool of reused easy handles. Keep one for the life of your process, share it
/// freely between tasks (it is `Sendable`), and call ``shutdown()`` before letting it go — or use
/// ``withBoldSignClient(configuration:logger:_:)``.
///
/// ```swift
/// let client = try BoldSignClient(configuration: .init(credentials: .apiKey(key)))
/// let fd = try FileDescriptor.open("selfie.jpg", .writeOnly, options: [.create, .truncate], permissions: .ownerReadWrite)
/// let result = try await client.downloadImage(request, into: fd)
/// try fd.close()
/// await client.shutdown()
/// ```
public final class BoldSignClient: Sendable {
    /// The configuration the client was created with.
    public let configuration: Configuration
    let baseURL: BaseURL
    let engine: CurlEventLoop
    /// Where images are synced and moved into place.
    let fileWork: FileWorkThreads
    let executor: RequestExecutor
    let logger: Logger
    /// The headers and options every image request shares, built once rather than per download.
    private let imageRequestParts: (headers: [String], options: TransferOptions)

    /// Creates a client and starts its transfer thread.
    ///
    /// - Throws: ``BoldSignError`` of kind ``BoldSignError/Kind/invalidConfiguration`` for an unusable configuration,
    ///   or for a libcurl older than 7.74 or built without TLS (the error names the version found).
    public init(configuration: Configuration, logger: Logger = Logger(label: "boldsign-idv")) throws {
        self.baseURL = try BaseURL(configuration.baseURL)
        try RequestFields.text(configuration.credentials.secret, field: "credentials")
        guard configuration.maxConcurrentTransfers >= 1 else {
            throw BoldSignError.invalidConfiguration("maxConcurrentTransfers must be at least 1")
        }
        guard (1024...10 * 1024 * 1024).contains(configuration.buffers.receiveBytes), configuration.buffers.writeBytes >= 0 else {
            throw BoldSignError.invalidConfiguration("buffers.receiveBytes must be 1 KiB ... 10 MiB and writeBytes at least 0")
        }
        self.configuration = configuration
        self.logger = logger
        let engine: CurlEventLoop
        do {
            engine = try CurlEventLoop(maxConcurrentTransfers: configuration.maxConcurrentTransfers)
        } catch {
            throw ResponseErrors.error(for: error, credentials: configuration.credentials)
        }
        self.engine = engine
        fileWork = FileWorkThreads(limit: configuration.maxConcurrentTransfers)
        self.executor = RequestExecutor(
            engine: engine, credentials: configuration.credentials, retry: configuration.retry,
            limiter: ClientRateLimiter(settings: configuration.rateLimiting),
            metrics: ClientMetrics(factory: configuration.metricsFactory ?? MetricsSystem.factory),
            tracer: configuration.tracer, server: baseURL)
        imageRequestParts = (Self.commonHeaders(configuration, accept: "image/*, application/octet-stream, application/json;q=0.5"),
                             Self.transferOptions(configuration, maxBody: configuration.maxImageBytes))
    }

    deinit {
        // A client dropped without shutdown() still stops its threads; handles are freed there, not here.
        engine.requestShutdownWithoutWaiting()
        fileWork.stopWithoutWaiting()
    }

    /// Fails requests in flight with ``BoldSignError/Kind/clientShutdown``, closes every connection and
    /// stops the transfer thread. Later requests fail at once. Calling it twice is harmless.
    public func shutdown() async {
        executor.gate.close()
        await engine.shutdown()
        await fileWork.shutdown()
    }

    /// Shuts down gracefully: takes no new requests (they fail with ``BoldSignError/Kind/clientShutdown``),
    /// lets those in flight finish for up to `gracePeriod`, then does what ``shutdown()`` does to the rest.
    ///
    /// A batch in progress sees its remaining items fail with ``BoldSignError/Kind/clientShutdown``; a file
    /// being written is either completed within the grace period or removed, never left half-written.
    ///
    /// - Parameter gracePeriod: The longest wait for requests in flight; cancelling the calling task ends it early.
    /// - Returns: True when every request in flight finished within the grace period.
    @discardableResult
    public func shutdown(gracePeriod: Duration) async -> Bool {
        executor.gate.close()
        let drained = await executor.gate.waitUntilIdle(limit: gracePeriod)
        await shutdown()
        return drained
    }

    /// Downloads one image into a file descriptor you own: the 2xx body is written at the descriptor's
    /// current offset as it arrives, and nothing else is (an error body never reaches it).
    ///
    /// The descriptor is neither closed nor synced. On failure some bytes may already be in it
    /// (``BoldSignError/bytesWritten`` says how many); use ``downloadImage(_:to:replaceExisting:timeout:logger:)``
    /// when the file must be complete or absent. A retry after a body cut short truncates a regular file
    /// back to where this download started; into a pipe or socket such a download is not retried.
    ///
    /// - Parameters:
    ///   - request: The image to fetch.
    ///   - fd: Where the image bytes go, from the descriptor's current offset.
    ///   - timeout: The call's deadline (see ``Configuration/Timeouts/call``, which it overrides).
    ///   - logger: Overrides the client's logger for this request.
    /// - Returns: Bytes written, status, content type, detected format, rate-limit headers and timing.
    /// - Throws: ``BoldSignError``.
    public func downloadImage(_ request: ImageRequest, into fd: FileDescriptor, timeout: Duration? = nil,
                              logger: Logger? = nil) async throws -> ImageDownload {
        try request.validate()
        return try await fetchImage(request, into: .fileDescriptor(fd), timeout: timeout, logger: logger)
    }

    /// The download behind every image method, for a request already validated.
    func fetchImage(_ request: ImageRequest, into output: RequestExecutor.Output, timeout: Duration?, logger: Logger?) async throws -> ImageDownload {
        let (result, rateLimit) = try await executor.execute(imageTransfer(request), output: output, operation: .image,
                                                             timeout: timeout ?? configuration.timeouts.call, logger: logger ?? self.logger)
        return try imageDownload(result, rateLimit: rateLimit)
    }

    /// The transfer of `request`, validated.
    func imageTransfer(_ request: ImageRequest) -> TransferRequest {
        let fields = request.fields
        return TransferRequest(
            url: fields.url(base: baseURL.string, endpoint: "image"), body: fields.jsonBody,
            headers: imageRequestParts.headers, options: imageRequestParts.options)
    }

    /// What a 2xx image response means to the caller; ``BoldSignError/Kind/notAnImage`` when the
    /// configuration requires an image format and the body has none.
    func imageDownload(_ result: TransferResult, rateLimit: RateLimitStatus?) throws -> ImageDownload {
        let format = ImageFormat(leadingBytes: result.leadingBytes)
        if configuration.requireImageFormat, format == .other {
            throw BoldSignError(
                .notAnImage, "the response body is not a JPEG, PNG, GIF or WebP image (Content-Type: \(result.header("content-type") ?? "none"))",
                status: result.status, requestID: ResponseErrors.requestID(result, credentials: configuration.credentials), bytesWritten: result.bytesWritten)
        }
        return ImageDownload(
            bytesWritten: result.bytesWritten,
            status: result.status,
            contentType: result.header("content-type").map { ErrorMessageDecoder.quote($0.utf8, limit: 200, credentials: configuration.credentials) },
            format: format,
            rateLimit: rateLimit,
            requestID: ResponseErrors.requestID(result, credentials: configuration.credentials),
            timing: .init(connect: .seconds(result.timing.connect), firstByte: .seconds(result.timing.firstByte),
                          total: .seconds(result.timing.total)),
            reusedConnection: result.newConnections == 0,
            path: nil)
    }

    /// Downloads one image into a file at `path`, which afterwards holds the whole image or is untouched.
    ///
    /// The image goes into a temporary file in the same directory (mode 0600, created with
    /// `O_EXCL|O_NOFOLLOW`), is synced to disk, and is renamed into place only when complete. On any
    /// failure — an error status, a dropped connection, a full disk, cancellation — the temporary file
    /// is removed and an existing file at `path` is left as it was.
    ///
    /// - Parameters:
    ///   - request: The image to fetch.
    ///   - path: The file to create (or replace).
    ///   - replaceExisting: Replace a file (or the symlink, not its target) already at `path`; when false such
    ///     a file is an error (``BoldSignError/Kind/destinationExists``), checked before and atomically after
    ///     the download. A directory, device (such as `/dev/null`), FIFO or socket at `path` is that error
    ///     either way: write to those through ``downloadImage(_:into:timeout:logger:)``.
    ///   - timeout: The call's deadline (see ``Configuration/Timeouts/call``, which it overrides); syncing
    ///     the file is not counted.
    ///   - logger: Overrides the client's logger for this request.
    /// - Returns: What was downloaded, with ``ImageDownload/path`` set.
    /// - Throws: ``BoldSignError``.
    public func downloadImage(
        _ request: ImageRequest, to path: FilePath, replaceExisting: Bool = false, timeout: Duration? = nil, logger: Logger? = nil
    ) async throws -> ImageDownload {
        try request.validate()
        var download = try await AtomicFileDelivery.deliver(to: path, replaceExisting: replaceExisting, fileWork: fileWork, durability: configuration.durability) { fd in
            try await fetchImage(request, into: .newFile(fd), timeout: timeout, logger: logger)
        }
        download.path = path
        return download
    }

    // MARK: - Shared plumbing

    static func commonHeaders(_ configuration: Configuration, accept: String) -> [String] {
        [configuration.credentials.headerLine, "Content-Type: application/json", "Accept: \(accept)"]
    }

    static func transferOptions(_ configuration: Configuration, maxBody: Int64?) -> TransferOptions {
        var options = TransferOptions()
        options.connectTimeoutMilliseconds = Int(clamping: configuration.timeouts.connect.milliseconds)
        options.stallTimeoutSeconds = max(1, Int(clamping: configuration.timeouts.stall.components.seconds))
        options.stallMinimumBytesPerSecond = max(1, configuration.timeouts.stallMinimumBytesPerSecond)
        options.caFile = configuration.caFile?.string
        options.userAgent = configuration.userAgent
        options.proxy = switch configuration.proxy {
        // Plain http:// is allowed for a loopback server only, because the credentials must never cross a
        // network in clear text; a proxy would carry them, headers and all, to wherever it is.
        case _ where configuration.baseURL.lowercased().hasPrefix("http:"): .none
        case .environment: .environment
        case .none: .none
        case .url(let url, let noProxy): .url(url, noProxy: noProxy)
        }
        options.httpVersion = switch configuration.httpVersion {
        case .automatic: .automatic
        case .http1_1: .http1_1
        case .http2: .http2
        }
        options.maxBodyBytes = maxBody
        options.receiveBufferBytes = configuration.buffers.receiveBytes
        options.writeBufferBytes = configuration.buffers.writeBytes
        return options
    }
}

/// Runs `body` with a new client and shuts the client down afterwards, whether `body` returns or throws.
///
/// - Throws: ``BoldSignError`` for an unusable configuration, or what `body` throws.
public func withBoldSignClient<Result: Sendable>(
    configuration: Configuration, logger: Logger = Logger(label: "boldsign-idv"),
    _ body: (BoldSignClient) async throws -> Result
) async throws -> Result {
    let client = try BoldSignClient(configuration: configuration, logger: logger)
    do {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        throw error
    }
}
