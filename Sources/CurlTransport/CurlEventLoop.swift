#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CCurl
import Synchronization
import SystemPackage

/// One OS thread that owns one libcurl multi handle and runs every transfer of a client.
///
/// Other threads only enqueue commands under a mutex and wake the thread with
/// `curl_multi_wakeup`. The multi handle holds the connection cache, DNS cache and TLS session
/// cache, so connections are kept alive across transfers. Easy handles are reset and reused.
/// Nothing curl-related is ever freed from `deinit`: all cleanup happens on this thread during ``shutdown()``.
// @unchecked: `multi` is touched only on the loop thread, except `curl_multi_wakeup`, which libcurl
// documents as callable from any thread and which is only called under the inbox lock while open.
package final class CurlEventLoop: @unchecked Sendable {
    private enum Command {
        case start(Transfer)
        case cancel(Transfer)
        case shutdown(CheckedContinuation<Void, Never>)
    }

    private struct Inbox {
        var commands: [Command] = []
        /// Once set, no command is accepted and the multi handle may already be gone.
        var closed = false
        var shutdownRequested = false
        /// A wake-up was sent that the loop has not yet answered by taking the commands: a command
        /// added meanwhile is taken with them, so it needs no wake-up of its own (one `send(2)` less
        /// per transfer while the loop is busy).
        var wakeupPending = false
    }

    private let multi: UnsafeMutableRawPointer
    /// A share handle holding the TLS session cache of every handle of this loop (nil if libcurl
    /// could not make one: connections then make full handshakes). Touched only on the loop thread.
    private let tlsSessions: UnsafeMutableRawPointer?
    private let inbox = Locked(Inbox())
    private let maxConcurrentTransfers: Int
    /// The longest the thread sleeps in `curl_multi_poll` with nothing to do; libcurl shortens it for
    /// its own timers, and a command wakes the thread at once, so this is only a safety net.
    private let idleWaitMilliseconds: Int32
    /// State confined to the loop thread.
    private let confined: LoopThreadState

    /// Fails when the loaded libcurl is unusable (``LibcurlRuntime/problem``, kind `.unsupportedLibcurl`), when
    /// libcurl cannot allocate a multi handle, or when the OS refuses a thread.
    /// `libcurl` is the loaded one but for tests of the refusal.
    package init(maxConcurrentTransfers: Int, idleWaitMilliseconds: Int32 = 1000, libcurl: LibcurlRuntime = .current) throws(TransferError) {
        if let problem = libcurl.problem { throw TransferError(kind: .unsupportedLibcurl, message: problem) }
        CurlGlobal.ensureInitialized()
        let descriptorsBefore = InheritableSocketSweep.openDescriptors()
        guard let multi = curl_multi_init() else {
            throw TransferError(kind: .other, message: "libcurl could not create a multi handle")
        }
        let newDescriptors = InheritableSocketSweep.openDescriptors().subtracting(descriptorsBefore)
        InheritableSocketSweep.closeOnExecWakeupPair(among: newDescriptors) { _ = curl_multi_wakeup(multi) }
        self.multi = multi
        // Used from the loop thread alone, so it needs no lock callbacks.
        let share = curl_share_init()
        if let share, ccurl_share_setopt_long(share, CURLSHOPT_SHARE, Int(CURL_LOCK_DATA_SSL_SESSION.rawValue)) != CURLSHE_OK {
            curl_share_cleanup(share)
            self.tlsSessions = nil
        } else {
            self.tlsSessions = share
        }
        self.maxConcurrentTransfers = max(1, maxConcurrentTransfers)
        self.idleWaitMilliseconds = max(1, idleWaitMilliseconds)
        self.confined = LoopThreadState()
        _ = ccurl_multi_setopt_long(multi, CURLMOPT_MAXCONNECTS, self.maxConcurrentTransfers * 2)

        let context = Unmanaged.passRetained(self).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(&thread, nil, { argument in
            guard let argument else { return nil }
            Unmanaged<CurlEventLoop>.fromOpaque(argument).takeRetainedValue().run()
            return nil
        }, context)
        guard created == 0 else {
            Unmanaged<CurlEventLoop>.fromOpaque(context).release()
            curl_multi_cleanup(multi)
            if let tlsSessions { curl_share_cleanup(tlsSessions) }
            throw TransferError(kind: .other, message: "could not start the transfer thread (error \(created))")
        }
        pthread_detach(thread)
    }

    // MARK: - Any thread

    /// Runs `request`, writing a 2xx body into `sink`. Cancelling the calling task ends the transfer.
    package func perform(_ request: TransferRequest, sink: FileDescriptor) async throws -> TransferResult {
        try await perform(request, into: .fileDescriptor(sink))
    }

    /// Runs `request`, sending a 2xx body to `sink`. Cancelling the calling task ends the transfer.
    package func perform(_ request: TransferRequest, into sink: TransferSink) async throws -> TransferResult {
        let transfer = Transfer(request: request, sink: sink)
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.continuation = continuation
                if !submit(.start(transfer)) {
                    transfer.continuation = nil
                    continuation.resume(throwing: TransferError(kind: .shutdown, message: "the client has been shut down"))
                }
            }
        } onCancel: {
            transfer.cancelRequested.store(true, ordering: .releasing)
            _ = submit(.cancel(transfer))
        }
    }

    /// Fails every transfer in flight or queued with a shutdown error, frees every curl handle on
    /// the loop thread, and returns when the thread has finished. Calling it again is harmless.
    package func shutdown() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            if !submit(.shutdown(continuation)) { continuation.resume() }
        }
    }

    /// Asks the thread to shut down without waiting (for a `deinit` that found no explicit shutdown).
    package func requestShutdownWithoutWaiting() {
        inbox.withLock { inbox in
            guard !inbox.closed, !inbox.shutdownRequested else { return }
            inbox.shutdownRequested = true
            _ = curl_multi_wakeup(multi)
        }
    }

    private func submit(_ command: Command) -> Bool {
        inbox.withLock { inbox in
            guard !inbox.closed else { return false }
            inbox.commands.append(command)
            if !inbox.wakeupPending {
                // Under the lock: the loop marks the inbox closed under it before freeing the multi handle.
                _ = curl_multi_wakeup(multi)
                inbox.wakeupPending = true
            }
            return true
        }
    }

    // MARK: - Loop thread

    private func run() {
        ThreadName.setCurrent("boldsign-curl")
        SigpipeGuard.blockOnCurrentThread()
        let state = confined
        var shutdownWaiters: [CheckedContinuation<Void, Never>] = []
        var shuttingDown = false
        // Swapped with the inbox's array each turn, so neither is ever shared: emptying a shared array
        // "keeping capacity" allocates a new buffer, which made every wake of the loop (every chunk
        // of a slow download) one allocation.
        var commands: [Command] = []

        while true {
            let shutdownRequested = inbox.withLock { inbox -> Bool in
                swap(&commands, &inbox.commands)
                inbox.wakeupPending = false
                return inbox.shutdownRequested
            }
            defer { commands.removeAll(keepingCapacity: true) }
            if shutdownRequested { shuttingDown = true }
            for command in commands {
                switch command {
                case .start(let transfer):
                    if shuttingDown {
                        finish(transfer, error: TransferError(kind: .shutdown, message: "the client has been shut down"))
                    } else {
                        state.pending.append(transfer)
                    }
                case .cancel(let transfer):
                    cancel(transfer)
                case .shutdown(let waiter):
                    shuttingDown = true
                    shutdownWaiters.append(waiter)
                }
            }
            if shuttingDown {
                failEverything()
                break
            }
            startPending()
            var running: Int32 = 0
            _ = curl_multi_perform(multi, &running)
            // A finished transfer may have made room for a queued one: start it now, not after the poll,
            // which nothing might end for a second.
            if collectFinished() > 0, !state.pending.isEmpty { continue }
            waitForSocketsAndOutputs()
        }

        // Close the inbox before freeing the multi handle: no thread may wake a freed handle.
        let late = inbox.withLock { inbox -> [Command] in
            inbox.closed = true
            defer { inbox.commands.removeAll() }
            return inbox.commands
        }
        for command in late {
            switch command {
            case .start(let transfer): finish(transfer, error: TransferError(kind: .shutdown, message: "the client has been shut down"))
            case .cancel: break
            case .shutdown(let waiter): shutdownWaiters.append(waiter)
            }
        }
        for handle in state.idle { handle.destroy() }
        state.idle.removeAll()
        curl_multi_cleanup(multi)
        // Last: libcurl refuses to free a share handle that an easy handle still uses.
        if let tlsSessions { curl_share_cleanup(tlsSessions) }
        for waiter in shutdownWaiters { waiter.resume() }
    }

    /// Sleeps in `curl_multi_poll` until libcurl's sockets or timers, a command, or a descriptor that owes
    /// bytes wants attention; then writes to every descriptor that is ready, resuming its transfer.
    private func waitForSocketsAndOutputs() {
        let waiting = confined.outputWaits.transfers
        guard !waiting.isEmpty else {
            _ = curl_multi_poll(multi, nil, 0, idleWaitMilliseconds, nil)
            return
        }
        var descriptors = waiting.compactMap { transfer in
            transfer.output.map { curl_waitfd(fd: $0.descriptor.rawValue, events: Int16(CURL_WAIT_POLLOUT), revents: 0) }
        }
        _ = curl_multi_poll(multi, &descriptors, UInt32(descriptors.count), idleWaitMilliseconds, nil)
        // libcurl reports only POLLOUT, not a pipe's POLLERR once its reader left: each descriptor is asked again.
        for transfer in waiting where transfer.output?.isReady() == true {
            serviceOutput(transfer)
        }
    }

    /// Writes what `transfer`'s descriptor owes; once all is written, resumes the paused transfer or
    /// finishes the one libcurl already ended. A failed write ends the transfer with that error.
    private func serviceOutput(_ transfer: Transfer) {
        let ok = transfer.writeOwedBytes()
        if let outcome = transfer.outcomeAfterOwedBytes {
            guard ok else { return finish(transfer, error: transfer.callbackFailure ?? TransferError(kind: .output, message: "writing the response body failed")) }
            guard !transfer.hasOwedBytes else { return }
            transfer.outcomeAfterOwedBytes = nil
            switch outcome {
            case .success(var result):
                result.bytesWritten = transfer.bytesWritten
                finish(transfer, result: result)
            case .failure(let error):
                finish(transfer, error: error)
            }
            return
        }
        guard let easy = transfer.handle?.easy else { return }
        if !ok {
            guard detach(easy: easy) != nil else { return }
            recycle(transfer)
            return finish(transfer, error: transfer.callbackFailure ?? TransferError(kind: .output, message: "writing the response body failed"))
        }
        if !transfer.hasOwedBytes, transfer.paused {
            transfer.paused = false
            // libcurl offers the bytes it held from inside this call; the callback may pause again.
            _ = ccurl_easy_unpause(easy)
        }
    }

    private func startPending() {
        let state = confined
        while state.active.count < maxConcurrentTransfers, !state.pending.isEmpty {
            let transfer = state.pending.removeFirst()
            if transfer.cancelRequested.load(ordering: .acquiring) {
                finish(transfer, error: TransferError(kind: .cancelled, message: "the transfer was cancelled"))
                continue
            }
            let gatherBytes = max(0, transfer.request.options.writeBufferBytes)
            let reused = state.idle.popLast()
            guard let handle = reused ?? PooledHandle(gatherBytes: gatherBytes) else {
                finish(transfer, error: TransferError(kind: .other, message: "libcurl could not create an easy handle"))
                continue
            }
            handle.ensureGatherCapacity(gatherBytes)
            transfer.handle = handle
            transfer.prepareOutput(waitList: state.outputWaits)
            let userdata = Unmanaged.passRetained(transfer).toOpaque()
            if let failure = EasyHandleConfiguration.configure(transfer, userdata: userdata, reusedHandle: reused != nil,
                                                               tlsSessions: tlsSessions) {
                Unmanaged<Transfer>.fromOpaque(userdata).release()
                recycle(transfer)
                finish(transfer, error: failure)
                continue
            }
            guard let easy = transfer.handle?.easy else { continue }
            let added = curl_multi_add_handle(multi, easy)
            guard added == CURLM_OK else {
                Unmanaged<Transfer>.fromOpaque(userdata).release()
                recycle(transfer)
                finish(transfer, error: TransferError(kind: .other, message: String(cString: curl_multi_strerror(added))))
                continue
            }
            state.active[UInt(bitPattern: easy)] = (transfer, userdata)
        }
    }

    /// Completes the transfers libcurl reports done; returns how many.
    private func collectFinished() -> Int {
        var remaining: Int32 = 0
        var finished = 0
        while let message = curl_multi_info_read(multi, &remaining) {
            guard ccurl_message_is_done(message) != 0, let easy = message.pointee.easy_handle else { continue }
            let code = ccurl_message_result(message)
            guard let transfer = detach(easy: easy) else { continue }
            complete(transfer, code: code)
            finished += 1
        }
        return finished
    }

    private func cancel(_ transfer: Transfer) {
        // A queued transfer ends now, not when a slot frees (which a long download may hold for minutes).
        if transfer.handle == nil, let index = confined.pending.firstIndex(where: { $0 === transfer }) {
            confined.pending.remove(at: index)
            finish(transfer, error: TransferError(kind: .cancelled, message: "the transfer was cancelled"))
            return
        }
        // Ended by libcurl, its descriptor still owing bytes: it ends without them.
        if transfer.outcomeAfterOwedBytes != nil {
            transfer.outcomeAfterOwedBytes = nil
            finish(transfer, error: TransferError(kind: .cancelled, message: "the transfer was cancelled", bytesWritten: transfer.bytesWritten))
            return
        }
        guard let easy = transfer.handle?.easy, detach(easy: easy) != nil else { return }
        recycle(transfer)
        finish(transfer, error: TransferError(kind: .cancelled, message: "the transfer was cancelled",
                                              bytesWritten: transfer.bytesWritten, status: transfer.head.status == 0 ? nil : transfer.head.status))
    }

    /// Removes the handle from the multi handle and drops the callbacks' reference, exactly once.
    private func detach(easy: UnsafeMutableRawPointer) -> Transfer? {
        guard let (transfer, userdata) = confined.active.removeValue(forKey: UInt(bitPattern: easy)) else { return nil }
        _ = curl_multi_remove_handle(multi, easy)
        Unmanaged<Transfer>.fromOpaque(userdata).release()
        return transfer
    }

    private func complete(_ transfer: Transfer, code: CURLcode) {
        guard let outcome = transfer.outcome(code: code) else { return }
        recycle(transfer)
        switch outcome {
        case .failure(let error):
            finish(transfer, error: error)
        case .success(let result) where transfer.hasOwedBytes:
            // A full pipe or socket: the result waits until its reader has taken the last bytes.
            transfer.outcomeAfterOwedBytes = .success(result)
        case .success(let result):
            finish(transfer, result: result)
        }
    }

    /// Frees the transfer's header list and returns its handle to the pool (or frees it when the pool is full).
    private func recycle(_ transfer: Transfer) {
        transfer.freeHeaderList()
        guard let handle = transfer.handle else { return }
        transfer.handle = nil
        handle.reset()
        if confined.idle.count < maxConcurrentTransfers {
            confined.idle.append(handle)
        } else {
            handle.destroy()
        }
    }

    private func failEverything() {
        let state = confined
        for (key, entry) in state.active {
            state.active.removeValue(forKey: key)
            if let easy = entry.transfer.handle?.easy { _ = curl_multi_remove_handle(multi, easy) }
            Unmanaged<Transfer>.fromOpaque(entry.userdata).release()
            recycle(entry.transfer)
            finish(entry.transfer, error: TransferError(kind: .shutdown, message: "the client was shut down during the transfer",
                                                        bytesWritten: entry.transfer.bytesWritten))
        }
        for transfer in state.pending {
            finish(transfer, error: TransferError(kind: .shutdown, message: "the client has been shut down"))
        }
        state.pending.removeAll()
        for transfer in state.outputWaits.transfers where transfer.outcomeAfterOwedBytes != nil {
            transfer.outcomeAfterOwedBytes = nil
            finish(transfer, error: TransferError(kind: .shutdown, message: "the client was shut down during the transfer",
                                                  bytesWritten: transfer.bytesWritten))
        }
    }

    private func finish(_ transfer: Transfer, result: TransferResult) {
        transfer.releaseOutput()
        transfer.continuation.take()?.resume(returning: result)
    }

    private func finish(_ transfer: Transfer, error: TransferError) {
        transfer.releaseOutput()
        transfer.continuation.take()?.resume(throwing: error)
    }
}

/// What only the loop thread touches. A class so the `Sendable` loop can hold it; never shared.
private final class LoopThreadState: @unchecked Sendable {
    var pending: [Transfer] = []
    var active: [UInt: (transfer: Transfer, userdata: UnsafeMutableRawPointer)] = [:]
    var idle: [PooledHandle] = []
    let outputWaits = OutputWaitList()
}
