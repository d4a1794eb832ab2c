internal import CCurl

/// `curl_global_init_mem`, exactly once per process and before any other libcurl call, with the
/// C allocator behind ``ReceiveBufferRecycler``. Never cleaned up: the host application may use
/// libcurl elsewhere, and cleanup is not thread-safe. When the host initialised libcurl first,
/// libcurl keeps the host's memory functions and only counts this call.
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init_mem(
        Int(CURL_GLOBAL_DEFAULT),
        { ReceiveBufferRecycler.shared.allocate($0) },
        { ReceiveBufferRecycler.shared.deallocate($0) },
        { ReceiveBufferRecycler.shared.reallocate($0, $1) },
        { ReceiveBufferRecycler.shared.duplicate($0) },
        { ReceiveBufferRecycler.shared.allocateZeroed($0, $1) }
    ) == CURLE_OK

    static func ensureInitialized() { _ = initialized }
}
