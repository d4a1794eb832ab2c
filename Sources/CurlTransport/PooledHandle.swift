internal import CCurl

/// A libcurl easy handle plus the buffers that live as long as it does: the error buffer and
/// the gather buffer for body writes. Reused across transfers so that a transfer allocates
/// nothing per body chunk. Touched only on the transfer thread.
final class PooledHandle {
    let easy: UnsafeMutableRawPointer
    /// `CURLOPT_ERRORBUFFER` storage (`CURL_ERROR_SIZE` bytes).
    let errorBuffer: UnsafeMutablePointer<CChar>
    /// Body bytes waiting for one large `write(2)`.
    private(set) var gather: UnsafeMutableRawBufferPointer

    init?(gatherBytes: Int) {
        guard let easy = curl_easy_init() else { return nil }
        self.easy = easy
        errorBuffer = .allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        gather = .allocate(byteCount: max(gatherBytes, 0), alignment: 64)
    }

    /// Makes the gather buffer `bytes` long (a reused handle may serve a transfer with another setting).
    func ensureGatherCapacity(_ bytes: Int) {
        guard gather.count != bytes else { return }
        gather.deallocate()
        gather = .allocate(byteCount: max(bytes, 0), alignment: 64)
    }

    /// Clears every option so the next transfer starts clean; live connections stay in the multi handle's cache.
    func reset() {
        curl_easy_reset(easy)
        errorBuffer[0] = 0
    }

    /// Frees the handle and its buffers; only ever called on the transfer thread.
    func destroy() {
        curl_easy_cleanup(easy)
        errorBuffer.deallocate()
        gather.deallocate()
    }

    /// The error buffer's text, or nil when libcurl left it empty.
    var errorText: String? {
        errorBuffer[0] == 0 ? nil : String(cString: errorBuffer)
    }
}
