internal import CCurl

/// Applies a ``TransferRequest`` to a clean easy handle: the options every transfer gets, then the request's own.
enum EasyHandleConfiguration {
    struct SetupError: Error {
        var code: CURLcode
        var option: String
        /// The request itself is unusable (a header line that would smuggle in another header), as
        /// opposed to libcurl refusing an option, which no request of the caller's can cause.
        var requestIsInvalid = false
    }

    /// Sets the transfer's options on its handle; nil when libcurl took them all.
    ///
    /// A handle that served an earlier transfer may refuse an option that a new handle takes: libcurl
    /// 7.88 keeps the receive buffer of a handle whose last transfer ran on a multiplexed HTTP/2
    /// connection, and then refuses `CURLOPT_BUFFERSIZE`. That is the pool's problem, not the
    /// request's: such a handle is freed and the transfer set up again on a new one.
    static func configure(
        _ transfer: Transfer, userdata: UnsafeMutableRawPointer, reusedHandle: Bool, tlsSessions: UnsafeMutableRawPointer?
    ) -> TransferError? {
        guard let handle = transfer.handle else { return TransferError(kind: .other, message: "the transfer has no handle") }
        let failure: SetupError
        do {
            try apply(transfer, to: handle, userdata: userdata, tlsSessions: tlsSessions)
            return nil
        } catch {
            failure = error
        }
        if reusedHandle, !failure.requestIsInvalid, let fresh = PooledHandle(gatherBytes: handle.gather.count) {
            handle.destroy()
            transfer.handle = fresh
            transfer.freeHeaderList()
            return configure(transfer, userdata: userdata, reusedHandle: false, tlsSessions: tlsSessions)
        }
        let text = String(cString: curl_easy_strerror(failure.code))
        return TransferError(kind: failure.requestIsInvalid ? .invalidRequest : .other, curlCode: Int32(failure.code.rawValue),
                             message: "libcurl refused option \(failure.option): \(text)")
    }

    /// Sets every option; throws the first one libcurl refused.
    static func apply(
        _ transfer: Transfer, to handle: PooledHandle, userdata: UnsafeMutableRawPointer, tlsSessions: UnsafeMutableRawPointer?
    ) throws(SetupError) {
        let easy = handle.easy
        let request = transfer.request
        let options = request.options

        func check(_ code: CURLcode, _ option: String) throws(SetupError) {
            guard code == CURLE_OK else { throw SetupError(code: code, option: option) }
        }
        func long(_ option: CURLoption, _ value: Int, _ name: String) throws(SetupError) {
            try check(ccurl_easy_setopt_long(easy, option, value), name)
        }
        func string(_ option: CURLoption, _ value: String, _ name: String) throws(SetupError) {
            // libcurl copies string options (since 7.17), so the temporary C string may go away.
            try check(value.withCString { ccurl_easy_setopt_string(easy, option, $0) }, name)
        }

        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_ERRORBUFFER, handle.errorBuffer), "ERRORBUFFER")
        // First of the options: the one a reused handle may refuse (see CurlEventLoop.configure).
        try long(CURLOPT_BUFFERSIZE, options.receiveBufferBytes, "BUFFERSIZE")
        try long(CURLOPT_NOSIGNAL, 1, "NOSIGNAL")
        try string(CURLOPT_URL, request.url, "URL")
        let httpOnly = Int(CURLPROTO_HTTP | CURLPROTO_HTTPS)
        try check(ccurl_easy_setopt_protocols(easy, httpOnly), "PROTOCOLS")
        try check(ccurl_easy_setopt_redirect_protocols(easy, httpOnly), "REDIR_PROTOCOLS")
        let plain = request.url.utf8.starts(with: "http:".utf8)
        try long(CURLOPT_HTTP_VERSION, httpVersion(options.httpVersion, plain: plain), "HTTP_VERSION")
        if options.httpVersion == .http2 || (options.httpVersion == .automatic && !plain) {
            // Wait for a connection that is still being set up to say whether it multiplexes, rather than
            // opening one connection per transfer that starts meanwhile. Not over plain HTTP/1.1: there
            // libcurl learns only from the response that a connection does not multiplex, so every
            // transfer would wait for the first response of a connection.
            try long(CURLOPT_PIPEWAIT, 1, "PIPEWAIT")
        }
        // One TLS session cache for every handle of the loop, so that a new connection resumes a session.
        if let tlsSessions { try check(ccurl_easy_setopt_pointer(easy, CURLOPT_SHARE, tlsSessions), "SHARE") }
        // Credentials travel in custom headers, which libcurl would forward to any host a redirect names.
        try long(CURLOPT_FOLLOWLOCATION, 0, "FOLLOWLOCATION")
        try long(CURLOPT_CONNECTTIMEOUT_MS, max(1, options.connectTimeoutMilliseconds), "CONNECTTIMEOUT_MS")
        // A stall timeout, and a total one only for a caller's deadline: a multi-gigabyte body may take as long
        // as it needs while it moves.
        try long(CURLOPT_LOW_SPEED_LIMIT, max(1, options.stallMinimumBytesPerSecond), "LOW_SPEED_LIMIT")
        try long(CURLOPT_LOW_SPEED_TIME, max(1, options.stallTimeoutSeconds), "LOW_SPEED_TIME")
        if let total = options.totalTimeoutMilliseconds { try long(CURLOPT_TIMEOUT_MS, max(1, total), "TIMEOUT_MS") }
        try long(CURLOPT_TCP_KEEPALIVE, 1, "TCP_KEEPALIVE")
        try long(CURLOPT_TCP_KEEPIDLE, 60, "TCP_KEEPIDLE")
        try long(CURLOPT_TCP_KEEPINTVL, 30, "TCP_KEEPINTVL")
        try long(CURLOPT_SSL_VERIFYPEER, 1, "SSL_VERIFYPEER")
        try long(CURLOPT_SSL_VERIFYHOST, 2, "SSL_VERIFYHOST")
        if let caFile = options.caFile { try string(CURLOPT_CAINFO, caFile, "CAINFO") }
        if let userAgent = options.userAgent { try string(CURLOPT_USERAGENT, userAgent, "USERAGENT") }
        switch options.proxy {
        case .environment:
            break
        case .none:
            // An empty proxy string disables proxies, environment variables included.
            try string(CURLOPT_PROXY, "", "PROXY")
        case .url(let proxy, let noProxy):
            try string(CURLOPT_PROXY, proxy, "PROXY")
            // Set even when empty: an explicit NOPROXY overrides the no_proxy environment variable.
            try string(CURLOPT_NOPROXY, noProxy ?? "", "NOPROXY")
        }
        if let maxBody = options.maxBodyBytes {
            try check(ccurl_easy_setopt_off_t(easy, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(maxBody)), "MAXFILESIZE_LARGE")
        }
        try check(ccurl_easy_setopt_opensocket_callback(easy, openSocketCallback), "OPENSOCKETFUNCTION")
        try check(ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION, writeCallback), "WRITEFUNCTION")
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_WRITEDATA, userdata), "WRITEDATA")
        try check(ccurl_easy_setopt_data_callback(easy, CURLOPT_HEADERFUNCTION, headerCallback), "HEADERFUNCTION")
        try check(ccurl_easy_setopt_pointer(easy, CURLOPT_HEADERDATA, userdata), "HEADERDATA")

        if let body = request.body {
            try long(CURLOPT_POST, 1, "POST")
            try check(ccurl_easy_setopt_off_t(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body.count)), "POSTFIELDSIZE_LARGE")
            // COPYPOSTFIELDS: libcurl keeps its own copy, so the body's lifetime is not ours to manage.
            let code = body.withUnsafeBytes { bytes in
                bytes.baseAddress.map { ccurl_easy_setopt_pointer(easy, CURLOPT_COPYPOSTFIELDS, UnsafeMutableRawPointer(mutating: $0)) }
                    ?? ccurl_easy_setopt_string(easy, CURLOPT_COPYPOSTFIELDS, "")
            }
            try check(code, "COPYPOSTFIELDS")
        }
        // "Expect: 100-continue" would cost a round trip for every POST.
        for line in ["Expect:"] + request.headers {
            // A line break would let a value start a header of its own.
            guard !line.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw SetupError(code: CURLE_BAD_FUNCTION_ARGUMENT, option: "HTTPHEADER", requestIsInvalid: true)
            }
            guard let appended = curl_slist_append(transfer.headerList, line) else {
                throw SetupError(code: CURLE_OUT_OF_MEMORY, option: "HTTPHEADER")
            }
            transfer.headerList = appended
        }
        try check(ccurl_easy_setopt_slist(easy, CURLOPT_HTTPHEADER, transfer.headerList), "HTTPHEADER")
    }

    private static func httpVersion(_ version: TransferOptions.HTTPVersion, plain: Bool) -> Int {
        switch version {
        // Said explicitly although it is libcurl's default since 7.62: a libcurl built otherwise behaves the same.
        case .automatic: return Int(CURL_HTTP_VERSION_2TLS)
        case .http1_1: return Int(CURL_HTTP_VERSION_1_1)
        case .http2:
            return Int(plain ? CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : CURL_HTTP_VERSION_2TLS)
        }
    }
}
