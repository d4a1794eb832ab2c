internal import CurlTransport

/// Runs a batch: pulls items on demand, keeps at most `concurrency` downloads in flight, and hands out
/// outcomes as they finish. The source iterator is touched only from ``next()``, i.e. by the one
/// consumer; the downloads report through a mutex-guarded queue.
final class BatchDriver<Source: IteratorProtocol>: @unchecked Sendable where Source.Element == BatchItem {
    private let client: BoldSignClient
    private let options: BatchOptions
    private var source: Source
    private var nextIndex = 0
    private var exhausted = false
    private let state = BatchState()

    init(client: BoldSignClient, items: Source, options: BatchOptions) {
        self.client = client
        self.source = items
        self.options = options
    }

    deinit {
        // The consumer stopped iterating: nothing will collect these outcomes.
        state.cancelAll()
    }

    func next() async -> BatchOutcome? {
        while true {
            fill()
            let (outcome, idle) = state.shared.withLock { shared -> (BatchOutcome?, Bool) in
                if !shared.finished.isEmpty { return (shared.finished.removeFirst(), false) }
                return (nil, shared.tasks.isEmpty)
            }
            if let outcome { return outcome }
            if idle && exhausted { return nil }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.shared.withLock { shared -> Bool in
                        if !shared.finished.isEmpty || shared.tasks.isEmpty { return true }
                        shared.waiter = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            } onCancel: { [state] in
                state.cancelAll()
            }
        }
    }

    /// Starts downloads (and records skips) until the in-flight and finished counts reach the concurrency.
    private func fill() {
        if Task.isCancelled { exhausted = true }
        while !exhausted {
            let room = state.shared.withLock { $0.tasks.count + $0.finished.count < options.concurrency }
            guard room else { return }
            guard let item = source.next() else {
                exhausted = true
                return
            }
            let index = nextIndex
            nextIndex += 1
            if options.skipExisting, !options.replaceExisting, FileSize.of(item.destination) != nil {
                state.shared.withLock { $0.finished.append(BatchState.record(.skipped, index: index, item: item, in: &$0.progress)) }
                continue
            }
            let client = self.client
            let replace = options.replaceExisting
            let state = self.state
            state.shared.withLock { shared in
                shared.progress.inFlight += 1
                shared.tasks[index] = Task {
                    let result: BatchOutcome.Result
                    do {
                        result = .downloaded(try await client.downloadImage(item.request, to: item.destination, replaceExisting: replace))
                    } catch let error as BoldSignError {
                        result = .failed(error)
                    } catch {
                        result = .failed(BoldSignError(.transportFailed, "\(error)"))
                    }
                    state.finish(index: index, item: item, result: result)
                }
            }
        }
    }

}

/// What the consumer and the downloads share, behind one mutex.
final class BatchState: Sendable {
    struct Shared {
        var finished: [BatchOutcome] = []
        var waiter: CheckedContinuation<Void, Never>?
        var tasks: [Int: Task<Void, Never>] = [:]
        var progress = BatchProgress()
    }

    let shared = Locked(Shared())

    func cancelAll() {
        for task in shared.withLock({ Array($0.tasks.values) }) { task.cancel() }
    }

    func finish(index: Int, item: BatchItem, result: BatchOutcome.Result) {
        let waiter = shared.withLock { shared -> CheckedContinuation<Void, Never>? in
            shared.tasks[index] = nil
            shared.progress.inFlight -= 1
            shared.finished.append(Self.record(result, index: index, item: item, in: &shared.progress))
            defer { shared.waiter = nil }
            return shared.waiter
        }
        waiter?.resume()
    }

    static func record(_ result: BatchOutcome.Result, index: Int, item: BatchItem, in progress: inout BatchProgress) -> BatchOutcome {
        progress.completed += 1
        switch result {
        case .downloaded(let download):
            progress.downloaded += 1
            progress.bytes += download.bytesWritten
        case .skipped:
            progress.skipped += 1
        case .failed:
            progress.failed += 1
        }
        return BatchOutcome(index: index, item: item, result: result, progress: progress)
    }
}
