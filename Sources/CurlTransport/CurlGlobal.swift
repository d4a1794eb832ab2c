internal import CCurl

/// `curl_global_init`, once per process, before the first multi handle. Plain, without memory
/// functions of ours, so that nothing else in the process that uses libcurl (a host application,
/// Foundation's URLSession) is affected by this package. Never cleaned up: the host may still be
/// using libcurl, and `curl_global_cleanup` is not thread-safe.
enum CurlGlobal {
    private static let initialized: Bool = curl_global_init(Int(CURL_GLOBAL_DEFAULT)) == CURLE_OK

    static func ensureInitialized() { _ = initialized }
}
