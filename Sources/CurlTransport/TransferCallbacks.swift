#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CCurl

// libcurl's callbacks: top-level, non-capturing C functions. The userdata pointer is the
// transfer (retained while the handle is in the multi handle). They never throw and never
// trap: a failure is stored on the transfer and reported to libcurl by a short return.

/// `CURLOPT_WRITEFUNCTION`: body bytes.
let writeCallback: ccurl_data_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
    let total = size &* count
    guard let data, total > 0 else { return total }
    return transfer.consumeBody(UnsafeRawBufferPointer(start: data, count: total)) {
        var status = 0
        if let easy = transfer.handle?.easy { _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status) }
        return status
    }
}

/// `CURLOPT_HEADERFUNCTION`: one header line at a time, status lines included.
let headerCallback: ccurl_data_callback = { data, size, count, userdata in
    guard let userdata else { return 0 }
    let transfer = Unmanaged<Transfer>.fromOpaque(userdata).takeUnretainedValue()
    let total = size &* count
    guard let data, total > 0 else { return total }
    transfer.head.consume(UnsafeRawBufferPointer(start: data, count: total))
    return total
}

/// `CURLOPT_OPENSOCKETFUNCTION`: the socket libcurl would make, but close-on-exec from birth, so a
/// child process spawned by the host application never inherits a connection (libcurl 7.88 does
/// not set `SOCK_CLOEXEC` itself, and setting it afterwards would race with a concurrent fork).
let openSocketCallback: ccurl_opensocket_callback = { _, _, address in
    guard let address else { return CURL_SOCKET_BAD }
    return socket(address.pointee.family, address.pointee.socktype | Int32(SOCK_CLOEXEC.rawValue), address.pointee.protocol)
}
