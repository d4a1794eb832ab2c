internal import CCurl

extension Transfer {
    /// What libcurl's end of this transfer with `code` means: its result, or the error it ended with (a
    /// callback's failure wins over libcurl's code). Flushes gathered body bytes of a 2xx response and reads
    /// the handle's counters, so it runs before the handle is recycled; nil when the transfer has no handle.
    func outcome(code: CURLcode) -> Result<TransferResult, TransferError>? {
        guard let handle else { return nil }
        let easy = handle.easy
        var status = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        if code == CURLE_OK, (200..<300).contains(status) { flush() }
        func seconds(_ info: CURLINFO) -> Double {
            var micros: curl_off_t = 0
            _ = ccurl_easy_getinfo_off_t(easy, info, &micros)
            return Double(micros) / 1_000_000
        }
        var connects = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_NUM_CONNECTS, &connects)
        let timing = TransferTiming(connect: seconds(CURLINFO_CONNECT_TIME_T), tlsHandshake: seconds(CURLINFO_APPCONNECT_TIME_T),
                                    firstByte: seconds(CURLINFO_STARTTRANSFER_TIME_T), total: seconds(CURLINFO_TOTAL_TIME_T))
        if let callbackFailure { return .failure(callbackFailure) }
        if code != CURLE_OK {
            return .failure(CurlErrorClassifier.error(code: code, message: handle.errorText, status: status == 0 ? nil : status,
                                                      bytesWritten: bytesWritten, connectTime: timing.connect))
        }
        return .success(TransferResult(
            status: status, headers: head.headers, bytesWritten: bytesWritten,
            leadingBytes: leadingBytes, errorBody: errorBody, body: memoryBody, timing: timing,
            newConnections: connects, bodyWrites: bodyWrites))
    }
}
