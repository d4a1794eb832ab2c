/// What a finished transfer produced. The body went to the sink when ``status`` is 2xx;
/// otherwise its first 64 KiB are in ``errorBody`` and nothing reached the sink.
package struct TransferResult: Sendable {
    /// The final HTTP status.
    package var status: Int
    /// The final response's headers, names lowercased, in arrival order (capped at 64 KiB in all).
    package var headers: [(name: String, value: String)]
    /// Body bytes written into the sink.
    package var bytesWritten: Int64
    /// The first bytes of the body (up to 16), for format detection.
    package var leadingBytes: [UInt8]
    /// Up to 64 KiB of a non-2xx body.
    package var errorBody: [UInt8]
    /// The 2xx body, for a memory sink (empty for a descriptor sink).
    package var body: [UInt8]
    /// Timing as libcurl measured it.
    package var timing: TransferTiming
    /// New connections this transfer had to open (0 when it reused one).
    package var newConnections: Int
    /// How many writes of gathered body bytes the sink got (partial `write(2)`s of one write not counted).
    package var bodyWrites: Int = 0

    /// The first value of header `name` (give it lowercased).
    package func header(_ name: String) -> String? { headers.first { $0.name == name }?.value }
}

/// Durations in seconds from the start of the transfer, from `CURLINFO_*_TIME_T`.
package struct TransferTiming: Sendable, Hashable {
    /// Until the TCP connection was up (0 when one was reused).
    package var connect: Double
    /// Until the TLS handshake was done (0 for plain HTTP or reuse).
    package var tlsHandshake: Double
    /// Until the first response byte.
    package var firstByte: Double
    /// Until the end.
    package var total: Double
}
