#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
/// Keeps `write(2)` into a closed pipe an `EPIPE` error instead of a process-killing SIGPIPE,
/// without touching the process-wide disposition the host application owns.
///
/// Every write into a pipe happens on the transfer thread, which blocks SIGPIPE for itself. A
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
