/// Why a transfer did not produce a ``TransferResult``. Carries no request data: no URL, no header.
package struct TransferError: Error, Sendable, CustomStringConvertible {
    /// What kind of failure.
    package enum Kind: Sendable, Hashable {
        /// No connection within the connect timeout.
        case connectTimeout
        /// Fewer than the minimum bytes per second for the stall timeout.
        case stalled
        /// The connection could not be made, or broke (including a body cut short).
        case connection
        /// TLS failed: handshake, certificate verification, CA file.
        case tls
        /// Writing into the sink failed; ``TransferError/errno`` says why.
        case output
        /// The body was larger than the configured maximum.
        case bodyTooLarge
        /// The caller cancelled.
        case cancelled
        /// The client was shut down.
        case shutdown
        /// The request could not be set up (bad URL, unsupported option).
        case invalidRequest
        /// The loaded libcurl is older than the package supports or lacks TLS (``LibcurlRuntime/problem``).
        case unsupportedLibcurl
        /// Anything else libcurl reported.
        case other
    }

    /// What kind of failure.
    package var kind: Kind
    /// The `CURLcode`, 0 when the failure was not libcurl's.
    package var curlCode: Int32
    /// libcurl's error text (from `CURLOPT_ERRORBUFFER` or `curl_easy_strerror`).
    package var message: String
    /// The `errno` of a failed `write(2)`.
    package var errno: Int32?
    /// Body bytes already written into the sink when it failed.
    package var bytesWritten: Int64
    /// The HTTP status, when a response head had arrived.
    package var status: Int?

    package init(kind: Kind, curlCode: Int32 = 0, message: String, errno: Int32? = nil, bytesWritten: Int64 = 0, status: Int? = nil) {
        self.kind = kind
        self.curlCode = curlCode
        self.message = message
        self.errno = errno
        self.bytesWritten = bytesWritten
        self.status = status
    }

    package var description: String { message }
}
