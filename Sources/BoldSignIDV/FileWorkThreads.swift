#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CurlTransport

/// A client's threads for file-system calls that may block for long: `fsync` of an image and its
/// directory, `link`, `rename` — on a real disk, milliseconds each; on a network file system, maybe seconds.
///
/// Not Swift's cooperative threads, which every task of the host process shares (two on a 2-core machine:
/// a few syncing downloads would stall everything else), and never the client's transfer thread, which
/// only moves bytes. Threads start when work waits and none is idle, up to a limit, and all of them
/// end at ``shutdown()``, so a daemon that shuts a client down keeps no thread of it.
final class FileWorkThreads: @unchecked Sendable {
    private struct State {
        var jobs: [@Sendable () -> Void] = []
        var threads = 0
        var idle = 0
        var stopping = false
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
    }

    // @unchecked: `state` is only touched with `mutex` held.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let wake: UnsafeMutablePointer<pthread_cond_t>
    private var state = State()
    private let limit: Int

    /// Up to `limit` threads (at least one).
    init(limit: Int) {
        self.limit = max(1, limit)
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
        wake = .allocate(capacity: 1)
        wake.initialize(to: pthread_cond_t())
        pthread_cond_init(wake, nil)
    }

    deinit {
        pthread_cond_destroy(wake)
        wake.deallocate()
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// Runs `work` on one of the threads (on the calling one once ``shutdown()`` has begun) and returns its result.
    func run<Result: Sendable>(_ work: @escaping @Sendable () throws(BoldSignError) -> Result) async throws(BoldSignError) -> Result {
        let outcome: Swift.Result<Result, BoldSignError> = await withCheckedContinuation { continuation in
            let job: @Sendable () -> Void = {
                continuation.resume(returning: Swift.Result { () throws(BoldSignError) -> Result in try work() })
            }
            if !submit(job) { job() }
        }
        return try outcome.get()
    }

    /// Lets queued work finish, then ends every thread; returns once they have ended. Harmless twice.
    func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let doneAlready = locked { state -> Bool in
                state.stopping = true
                guard state.threads > 0 else { return true }
                state.shutdownWaiters.append(continuation)
                return false
            }
            pthread_cond_broadcast(wake)
            if doneAlready { continuation.resume() }
        }
    }

    /// Runs `job` on one of the threads without waiting for it (on the calling thread once ``shutdown()`` has begun).
    func start(_ job: @escaping @Sendable () -> Void) {
        if !submit(job) { job() }
    }

    /// Lets queued work finish and ends every thread, without waiting (for a `deinit` that found no shutdown).
    func stopWithoutWaiting() {
        locked { $0.stopping = true }
        pthread_cond_broadcast(wake)
    }

    /// Queues `job`; false when it must run on the caller (shut down, or no thread could be started).
    private func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        locked { state -> Bool in
            guard !state.stopping else { return false }
            if state.idle == 0, state.threads < limit {
                if startThread() {
                    state.threads += 1
                } else if state.threads == 0 {
                    return false
                }
            }
            state.jobs.append(job)
            pthread_cond_signal(wake)
            return true
        }
    }

    private func startThread() -> Bool {
        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<FileWorkThreads>.fromOpaque(argument).takeRetainedValue().work()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<FileWorkThreads>.fromOpaque(context).release()
            return false
        }
        pthread_detach(thread)
        return true
    }

    /// A thread's life: run jobs until stopped with none left.
    private func work() {
        ThreadName.setCurrent("boldsign-files")
        pthread_mutex_lock(mutex)
        while true {
            if !state.jobs.isEmpty {
                let job = state.jobs.removeFirst()
                pthread_mutex_unlock(mutex)
                job()
                pthread_mutex_lock(mutex)
                continue
            }
            if state.stopping {
                state.threads -= 1
                let waiters = state.threads == 0 ? state.shutdownWaiters : []
                if state.threads == 0 { state.shutdownWaiters.removeAll() }
                pthread_mutex_unlock(mutex)
                for waiter in waiters { waiter.resume() }
                return
            }
            state.idle += 1
            pthread_cond_wait(wake, mutex)
            state.idle -= 1
        }
    }

    private func locked<T>(_ body: (inout State) -> T) -> T {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body(&state)
    }
}
