import SystemPackage

/// One HTTP request for libcurl to perform. Knows nothing of BoldSign.
package struct TransferRequest: Sendable {
    /// The full URL, already percent-encoded.
    package var url: String
    /// `POST` when ``body`` is set, else `GET`.
    package var body: [UInt8]?
    /// Header lines (`Name: value`). Secrets may be among them: they are never logged or echoed by this module.
    package var headers: [String]
    /// Options that shape the connection and the transfer.
    package var options: TransferOptions

    /// Creates a request.
    package init(url: String, body: [UInt8]? = nil, headers: [String] = [], options: TransferOptions = TransferOptions()) {
        self.url = url
        self.body = body
        self.headers = headers
        self.options = options
    }
}

/// How libcurl should connect and transfer. Every field maps to one or two `CURLOPT_*` options.
package struct TransferOptions: Sendable, Hashable {
    /// Proxy choice: libcurl's own rules, none at all, or one URL.
    package enum Proxy: Sendable, Hashable {
        /// Honour `http_proxy`, `https_proxy`, `all_proxy` and `no_proxy` as the curl tool does.
        case environment
        /// Never use a proxy, whatever the environment says.
        case none
        /// Always use this proxy (`http://`, `https://`, `socks5://` …), except for hosts in `noProxy`.
        case url(String, noProxy: String?)
    }

    /// Which HTTP versions to offer (`CURLOPT_HTTP_VERSION`).
    package enum HTTPVersion: Sendable, Hashable {
        /// HTTP/2 where the server offers it by ALPN over TLS, HTTP/1.1 otherwise (and always over plain HTTP).
        case automatic
        /// HTTP/1.1 only.
        case http1_1
        /// HTTP/2: by ALPN over TLS (HTTP/1.1 if the server does not offer it), by prior knowledge over plain HTTP.
        case http2
    }

    /// Which HTTP versions to offer.
    package var httpVersion: HTTPVersion = .automatic
    /// `CURLOPT_CONNECTTIMEOUT_MS`: the TCP and TLS handshake must finish within this many milliseconds.
    package var connectTimeoutMilliseconds: Int = 10_000
    /// `CURLOPT_TIMEOUT_MS`: the whole transfer must end within this many milliseconds (nil: no limit).
    package var totalTimeoutMilliseconds: Int?
    /// `CURLOPT_LOW_SPEED_TIME`: abort when fewer than ``stallMinimumBytesPerSecond`` arrive for this many seconds.
    package var stallTimeoutSeconds: Int = 30
    /// `CURLOPT_LOW_SPEED_LIMIT`.
    package var stallMinimumBytesPerSecond: Int = 1
    /// `CURLOPT_CAINFO`: trust only the CAs in this PEM file instead of the system's.
    package var caFile: String?
    /// `CURLOPT_USERAGENT`.
    package var userAgent: String?
    /// Proxy selection.
    package var proxy: Proxy = .environment
    /// Abort a successful body after this many bytes (`CURLOPT_MAXFILESIZE_LARGE` plus a check as bytes arrive).
    package var maxBodyBytes: Int64?
    /// `CURLOPT_BUFFERSIZE`: libcurl's receive buffer per handle.
    package var receiveBufferBytes: Int = 512 * 1024
    /// Body bytes gathered before one `write(2)`; `0` writes every chunk as libcurl hands it over.
    package var writeBufferBytes: Int = 256 * 1024

    /// Default options.
    package init() {}
}
