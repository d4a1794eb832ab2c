#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Marks close-on-exec the socketpair that `curl_multi_init` opens for `curl_multi_wakeup`.
///
/// libcurl before 8.8 (curl issue #13618; Debian 12 ships 7.88) creates that pair without
/// `SOCK_CLOEXEC`, and offers no way to reach its descriptors, so every child a host process
/// spawns would inherit them. They have to be recognised among the descriptors that appeared
/// across the `curl_multi_init` call, and other threads open descriptors in that window too.
/// Marking one of theirs is not harmless: Foundation's `Process` hands the child one end of a
/// socketpair and learns of its exit when that end closes, so a marked end made it wait for the
/// wrong child — a hang, seen in this package's own test run. Hence the strict rule below, which
/// would rather leave libcurl's pair inheritable than touch a descriptor it cannot prove is libcurl's.
enum InheritableSocketSweep {
    /// The descriptors open in this process right now.
    static func openDescriptors() -> Set<Int32> {
        guard let directory = opendir("/proc/self/fd") else { return [] }
        defer { closedir(directory) }
        // The listing's own descriptor is closed by the time anyone looks at the result.
        let listing = dirfd(directory)
        var descriptors = Set<Int32>()
        DirectoryNames.forEach(in: directory) { name in
            if let fd = Int32(name), fd != listing { descriptors.insert(fd) }
        }
        return descriptors
    }

    /// Sets `FD_CLOEXEC` on libcurl's wakeup pair if it is certainly among `newDescriptors`;
    /// returns whether it did.
    ///
    /// The pair is recognised as libcurl 7.88 makes it: exactly two of the new descriptors are
    /// inheritable, non-blocking Unix stream sockets, and after `wake` (which must call
    /// `curl_multi_wakeup`) exactly one of them has a byte to read. Anything else — a third such
    /// socket from another thread, or no byte — leaves every descriptor as it was. The byte stays
    /// for the transfer thread's first poll, which drains it as an ordinary wake-up.
    @discardableResult
    static func closeOnExecWakeupPair(among newDescriptors: Set<Int32>, wake: () -> Void) -> Bool {
        let candidates = newDescriptors.filter(isInheritableNonBlockingUnixStream)
        guard candidates.count == 2 else { return false }
        wake()
        guard candidates.filter(hasAByteToRead).count == 1 else { return false }
        for fd in candidates {
            let flags = fcntl(fd, F_GETFD)
            if flags >= 0 { _ = fcntl(fd, F_SETFD, flags | FD_CLOEXEC) }
        }
        return true
    }

    private static func isInheritableNonBlockingUnixStream(_ fd: Int32) -> Bool {
        let descriptorFlags = fcntl(fd, F_GETFD)
        guard descriptorFlags >= 0, descriptorFlags & FD_CLOEXEC == 0 else { return false }
        let statusFlags = fcntl(fd, F_GETFL)
        guard statusFlags >= 0, statusFlags & O_NONBLOCK != 0 else { return false }
        return socketOption(fd, SO_DOMAIN) == AF_UNIX && socketOption(fd, SO_TYPE) == Int32(SOCK_STREAM.rawValue)
    }

    private static func socketOption(_ fd: Int32, _ option: Int32) -> Int32? {
        var value: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, option, &value, &length) == 0 ? value : nil
    }

    /// Looks without consuming: the byte belongs to libcurl's next poll.
    private static func hasAByteToRead(_ fd: Int32) -> Bool {
        var byte: UInt8 = 0
        return recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT)) == 1
    }
}
