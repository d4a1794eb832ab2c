#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Marks close-on-exec the socketpair that `curl_multi_init` opens for `curl_multi_wakeup`.
///
/// libcurl before 8.8 (curl issue #13618; Debian 12 ships 7.88) creates that pair without
/// `SOCK_CLOEXEC`, and offers no way to reach its descriptors, so every child a host process
/// spawns would inherit them. They are found as the Unix-domain sockets that appeared across the
/// `curl_multi_init` call and are not yet close-on-exec. Another thread creating an inheritable
/// Unix socket in that same microsecond would be marked too; the price is that a child it meant
/// to hand that socket to would not get it — far rarer than the leak this closes.
enum InheritableSocketSweep {
    /// The descriptors open in this process right now.
    static func openDescriptors() -> Set<Int32> {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        // The listing's own descriptor is closed by the time anyone looks at the result.
        let listing = dirfd(directory)
        var descriptors = Set<Int32>()
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { bytes in
                String(decoding: bytes.prefix { $0 != 0 }, as: UTF8.self)
            }
            if let fd = Int32(name), fd != listing { descriptors.insert(fd) }
        }
        return descriptors
    }

    /// Sets `FD_CLOEXEC` on every inheritable Unix-domain socket not in `before`.
    static func closeOnExecUnixSockets(openedSince before: Set<Int32>) {
        for fd in openDescriptors().subtracting(before) where isInheritableUnixSocket(fd) {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
    }

    private static func isInheritableUnixSocket(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFD)
        guard flags >= 0, flags & FD_CLOEXEC == 0 else { return false }
        var domain: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &length) == 0 && domain == AF_UNIX
    }
}
