internal import CCurl

/// Turns a `CURLcode` into a ``TransferError`` of the right kind.
enum CurlErrorClassifier {
    static func error(code: CURLcode, message: String?, status: Int?, bytesWritten: Int64, connectTime: Double) -> TransferError {
        let text = message ?? String(cString: curl_easy_strerror(code))
        let kind: TransferError.Kind
        switch code {
        case CURLE_OPERATION_TIMEDOUT:
            // No TCP connection yet: the connect timeout fired. Anything later is a stall.
            kind = connectTime == 0 && status == nil ? .connectTimeout : .stalled
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT, CURLE_RECV_ERROR, CURLE_SEND_ERROR,
             CURLE_PARTIAL_FILE, CURLE_GOT_NOTHING, CURLE_HTTP2, CURLE_HTTP2_STREAM, CURLE_WEIRD_SERVER_REPLY:
            kind = .connection
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CACERT_BADFILE, CURLE_SSL_CERTPROBLEM,
             CURLE_SSL_CIPHER, CURLE_SSL_ENGINE_NOTFOUND, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH,
             CURLE_SSL_INVALIDCERTSTATUS, CURLE_SSL_CRL_BADFILE, CURLE_SSL_SHUTDOWN_FAILED:
            kind = .tls
        case CURLE_FILESIZE_EXCEEDED:
            kind = .bodyTooLarge
        case CURLE_UNSUPPORTED_PROTOCOL, CURLE_URL_MALFORMAT:
            kind = .invalidRequest
        default:
            kind = .other
        }
        return TransferError(kind: kind, curlCode: Int32(code.rawValue), message: text, bytesWritten: bytesWritten, status: status)
    }
}
