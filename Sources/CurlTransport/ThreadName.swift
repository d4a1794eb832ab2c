#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Names the calling thread, as `top -H`, `ps -L`, gdb and `/proc/<pid>/task/*/comm` show it.
///
/// A thread otherwise inherits its creator's name, and ours are created from Swift's cooperative pool, whose
/// threads Dispatch names after their queue: the client's threads would look like Dispatch's. Written to
/// `/proc/thread-self/comm` because Swift's Glibc module leaves out `pthread_setname_np` (a `_GNU_SOURCE`
/// function); without `/proc` the thread keeps the name it had, which costs nothing but the label.
package enum ThreadName {
    /// Sets the calling thread's name: at most 15 bytes are kept.
    package static func setCurrent(_ name: String) {
        let fd = open("/proc/thread-self/comm", O_WRONLY | O_CLOEXEC)
        guard fd >= 0 else { return }
        defer { close(fd) }
        let bytes = Array(name.utf8.prefix(15))
        _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
    }
}
