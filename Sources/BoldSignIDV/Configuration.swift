import CoreMetrics
import SystemPackage
import Tracing

/// Everything a ``BoldSignClient`` needs to know, fixed for its lifetime.
///
/// ```swift
/// var configuration = Configuration(region: .eu, credentials: .apiKey(key))
/// configuration.timeouts.stall = .seconds(60)
/// configuration.maxConcurrentTransfers = 4
/// ```
public struct Configuration: Sendable {
    /// BoldSign's data centres. An account lives in one; a key used against another gets 401 on every call.
    public enum Region: String, Sendable, Hashable, CaseIterable {
        /// `https://api.boldsign.com`
        case us
        /// `https://api-eu.boldsign.com`
        case eu
        /// `https://api-ca.boldsign.com`
        case ca
        /// `https://api-au.boldsign.com`
        case au

        /// The region's API base URL.
        public var baseURL: String {
            switch self {
            case .us: return "https://api.boldsign.com"
            case .eu: return "https://api-eu.boldsign.com"
            case .ca: return "https://api-ca.boldsign.com"
            case .au: return "https://api-au.boldsign.com"
            }
        }
    }

    /// Connection, stall and whole-call limits. By default there is no limit on a whole call: a
    /// multi-gigabyte image may take as long as it needs while bytes keep arriving.
    public struct Timeouts: Sendable, Hashable {
        /// TCP connect plus TLS handshake.
        public var connect: Duration
        /// Give up when fewer than ``stallMinimumBytesPerSecond`` arrive for this long (whole seconds, at least 1).
        ///
        /// libcurl measures the rate as an average over its last five seconds, so a body that stops dead after a
        /// burst is given up on up to about five seconds later than this.
        public var stall: Duration
        /// The rate below which the transfer counts as stalled.
        public var stallMinimumBytesPerSecond: Int
        /// A deadline for each call (each item of a batch): the rate limiter's wait, every attempt and the
        /// pauses between retries must end within it, or the call fails with ``BoldSignError/Kind/timedOut``.
        /// A retry that could only start after the deadline is not made; the call fails with the last
        /// attempt's error. Syncing a downloaded file is not counted. nil (the default): no deadline.
        /// A method's `timeout:` argument overrides it.
        public var call: Duration?

        /// Creates timeouts; the defaults are 10 s to connect, 30 s of stall and no deadline per call.
        public init(connect: Duration = .seconds(10), stall: Duration = .seconds(30), stallMinimumBytesPerSecond: Int = 1,
                    call: Duration? = nil) {
            self.connect = connect
            self.stall = stall
            self.stallMinimumBytesPerSecond = stallMinimumBytesPerSecond
            self.call = call
        }
    }

    /// Per-transfer memory: libcurl's receive buffer and the buffer that gathers body chunks into large `write(2)`s.
    ///
    /// Memory per concurrent transfer is about `receiveBytes + writeBytes`. Larger buffers mean fewer
    /// system calls and higher throughput on fast links; ``lowMemory`` suits many concurrent transfers
    /// on a small machine.
    public struct Buffers: Sendable, Hashable {
        /// libcurl's receive buffer (`CURLOPT_BUFFERSIZE`, 1 KiB ... 10 MiB).
        public var receiveBytes: Int
        /// Bytes gathered before one `write(2)`; `0` writes each chunk as it arrives (at most 16 KiB each).
        ///
        /// When the server announces the body's length, a write carries at most an eighth of it (not
        /// less than 64 KiB), so that writing overlaps the download; bodies of 8 × `writeBytes` and
        /// more are written in `writeBytes` pieces. Only the bytes a transfer gathers become resident.
        public var writeBytes: Int

        /// Creates buffer sizes.
        public init(receiveBytes: Int, writeBytes: Int) {
            self.receiveBytes = receiveBytes
            self.writeBytes = writeBytes
        }

        // 256 KiB rather than 1 MiB: a gather buffer that stays in the CPU's cache is cheaper to fill and to
        // write from, and a large download was no slower with it (the 1 GiB case of Benchmarks/run.sh).
        /// 512 KiB receive, 256 KiB gathered writes: about 768 KiB per transfer.
        public static let `default` = Buffers(receiveBytes: 512 * 1024, writeBytes: 256 * 1024)
        /// 64 KiB receive, 64 KiB gathered writes: about 128 KiB per transfer.
        public static let lowMemory = Buffers(receiveBytes: 64 * 1024, writeBytes: 64 * 1024)
    }

    /// What a download to a path guarantees once it has returned.
    public enum Durability: String, Sendable, Hashable, CaseIterable {
        /// The image and its directory entry are synced (`fsync`) before the image appears: after a crash
        /// or power loss, a file that was there is whole. The default.
        case synced
        /// Not synced: the image appears whole to every process at once, but a crash or power loss soon
        /// after may leave it empty or missing. Faster on a real disk, for outputs that can be fetched again.
        case unsynced
    }

    /// Which HTTP versions the client offers the server.
    public enum HTTPVersion: String, Sendable, Hashable, CaseIterable {
        /// HTTP/2 where the server offers it during the TLS handshake (ALPN), as BoldSign's front end
        /// does; HTTP/1.1 otherwise, and always over plain HTTP. Concurrent transfers to one host then
        /// share a connection as streams.
        case automatic
        /// HTTP/1.1 only: concurrent transfers each get a connection of their own.
        case http1_1 = "1.1"
        /// HTTP/2 by ALPN over TLS (HTTP/1.1 if the server does not offer it), and by prior knowledge
        /// over plain HTTP, for a server known to speak it without TLS.
        case http2 = "2"
    }

    /// Which proxy to use for an `https://` base URL. A plain `http://` (loopback) base URL never goes
    /// through a proxy, whatever this says: the proxy would receive the credentials in clear text.
    public enum Proxy: Sendable, Hashable {
        /// Honour `https_proxy`, `http_proxy`, `all_proxy` and `no_proxy` (and upper-case forms except `HTTP_PROXY`) exactly as the curl tool does.
        case environment
        /// Never use a proxy, whatever the environment says.
        case none
        /// Always use this proxy (`http://`, `https://`, `socks5h://` …), except for the comma-separated hosts in `noProxy`.
        case url(String, noProxy: String? = nil)
    }

    /// The API base URL: a region's, or an explicit one (https; plain http only for loopback hosts).
    public var baseURL: String
    /// How to authenticate.
    public var credentials: Credentials
    /// Connect and stall limits.
    public var timeouts = Timeouts()
    /// Transfers run at once by one client; further ones wait their turn.
    public var maxConcurrentTransfers = 8
    /// A PEM file of CAs to trust instead of the system's.
    public var caFile: FilePath?
    /// The `User-Agent` header.
    public var userAgent = "boldsign-idv-swift/0.1"
    /// Which HTTP versions to offer; see ``HTTPVersion``. `Benchmarks/README.md` measures the choice.
    public var httpVersion = HTTPVersion.automatic
    /// Proxy selection; the environment by default, as curl does.
    public var proxy = Proxy.environment
    /// Per-transfer buffer sizes.
    public var buffers = Buffers.default
    /// Refuse image bodies larger than this many bytes (nil: no limit).
    public var maxImageBytes: Int64?
    /// Whether an image written to a path is synced to disk before it appears there; see ``Durability``.
    public var durability = Durability.synced
    /// Treat a 2xx image response whose body does not start like a JPEG, PNG, GIF or WebP image as an
    /// error (``BoldSignError/Kind/notAnImage``): a path download then delivers nothing. Off by default,
    /// since the API does not document which formats signers may upload.
    public var requireImageFormat = false
    /// Which failures are retried, how often and after how long.
    public var retry = RetryPolicy.default
    /// How the client keeps itself under the account's rate limit.
    public var rateLimiting = RateLimiting.default
    /// Where metrics go; nil uses the process-wide `MetricsSystem.factory`.
    public var metricsFactory: (any MetricsFactory)?
    /// Where the client's spans go — one client span per HTTP request, retries included — or nil for the
    /// tracer bootstrapped with `InstrumentationSystem` (a no-op unless your process bootstrapped one).
    ///
    /// Spans carry OpenTelemetry's HTTP client attributes (`http.request.method`, `http.response.status_code`,
    /// `server.address`, `server.port`, `error.type`) and never a document id, signer, file id or credential.
    public var tracer: (any Tracer)?
    /// How long ``BoldSignClient/shutdown(gracePeriod:)`` waits, when run as a service, for calls in
    /// flight to finish before it cancels them. Ten seconds by default: under systemd's `TimeoutStopSec`.
    public var shutdownGracePeriod: Duration = .seconds(10)

    /// A configuration for one of BoldSign's regions.
    public init(region: Region = .us, credentials: Credentials) {
        self.baseURL = region.baseURL
        self.credentials = credentials
    }

    /// A configuration for an explicit base URL, such as a local `boldsign-mock` (`http://127.0.0.1:8787`).
    public init(baseURL: String, credentials: Credentials) {
        self.baseURL = baseURL
        self.credentials = credentials
    }
}
