#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Writes whole buffers into a file descriptor: partial writes continued, `EINTR` retried,
/// `EAGAIN` on a non-blocking descriptor waited out with `poll(2)`.
enum FileDescriptorWriter {
    /// Writes all `count` bytes at `base`; returns the errno of the first failure, or nil.
    static func writeAll(_ fd: FileDescriptor, _ base: UnsafeRawPointer, _ count: Int) -> Errno? {
        var offset = 0
        while offset < count {
            do {
                let written = try fd.write(UnsafeRawBufferPointer(start: base + offset, count: count - offset), retryOnInterrupt: true)
                if written == 0 { return .noSpace }
                offset += written
            } catch let error as Errno {
                if error == .wouldBlock || error == .resourceTemporarilyUnavailable {
                    if let pollError = waitUntilWritable(fd) { return pollError }
                    continue
                }
                if error == .brokenPipe { SigpipeGuard.discardPending() }
                return error
            } catch {
                return .ioError
            }
        }
        return nil
    }

    private static func waitUntilWritable(_ fd: FileDescriptor) -> Errno? {
        var entry = pollfd(fd: fd.rawValue, events: Int16(POLLOUT), revents: 0)
        while true {
            let ready = poll(&entry, 1, -1)
            if ready >= 0 { return nil }
            if errno != EINTR { return Errno(rawValue: errno) }
        }
    }
}

/// Keeps `write(2)` into a closed pipe an `EPIPE` error instead of a process-killing SIGPIPE,
/// without touching the process-wide disposition the host application owns.
///
/// Every write into a sink happens on the transfer thread, which blocks SIGPIPE for itself. A
/// SIGPIPE raised by such a write is thread-directed, so it stays pending on that thread; it is
/// discarded right after the `EPIPE` so it can never be delivered later.
enum SigpipeGuard {
    /// Blocks SIGPIPE for the calling thread.
    static func blockOnCurrentThread() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        pthread_sigmask(SIG_BLOCK, &set, nil)
    }

    /// Consumes a pending SIGPIPE of the calling thread, if there is one.
    static func discardPending() {
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGPIPE)
        var pending = sigset_t()
        sigpending(&pending)
        guard sigismember(&pending, SIGPIPE) == 1 else { return }
        var zero = timespec(tv_sec: 0, tv_nsec: 0)
        _ = sigtimedwait(&set, nil, &zero)
    }
}
