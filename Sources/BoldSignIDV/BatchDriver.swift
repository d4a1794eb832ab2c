internal import CurlTransport
import SystemPackage

/// Runs a batch with up to `concurrency` worker tasks and hands out outcomes as they finish: the one
/// engine behind both forms of ``BoldSignClient/downloadBatch(_:options:)``.
///
/// Each worker task pulls the next item itself and downloads it into a temporary file as
/// ``BoldSignClient/downloadImage(_:to:replaceExisting:timeout:logger:)`` does; then it leaves the file's sync and
/// move into place to the client's file threads, which record the outcome, and pulls again at once: the
/// next transfer overlaps the last one's file work, and neither the consumer nor a disk is on the path
/// from one download to the next. Workers stop pulling while `2 × concurrency + 1` items are claimed but
/// not yet collected: as many items may be synced as downloaded (on a real disk a sync takes as long as a
/// download, and counting them against the downloads held half of them back), plus one for a sequential
/// batch; so a consumer that stops reading stops the batch, and ``next()`` starts workers again when there is room.
final class BatchDriver: Sendable {
    private let client: BoldSignClient
    private let options: BatchOptions
    private let state: BatchState

    init<Source: IteratorProtocol>(client: BoldSignClient, items: Source, options: BatchOptions) where Source.Element == BatchItem {
        self.client = client
        self.options = options
        var items = items
        self.state = BatchState(pull: { items.next() }, concurrency: options.workerCount)
    }

    deinit {
        // The consumer stopped iterating: nothing will collect these outcomes.
        state.cancelAll()
    }

    func next() async -> BatchOutcome? {
        if Task.isCancelled { state.cancelAll() }
        while true {
            let step = state.shared.withLock { shared -> BatchStep in
                let outcome = shared.finished.isEmpty ? nil : shared.finished.removeFirst()
                // Taking an outcome makes room: restart stopped workers now, not once every outcome is read.
                startWorkers(&shared)
                if let outcome { return .outcome(outcome) }
                return shared.isOver ? .done : .wait
            }
            switch step {
            case .outcome(let outcome): return outcome
            case .done: return nil
            case .wait: break
            }
            await withTaskCancellationHandler {
                await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                    let resumeNow = state.shared.withLock { shared -> Bool in
                        if !shared.finished.isEmpty || shared.isOver { return true }
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

    /// Called under the lock: a task holding the lock cannot be observed half-registered by its worker.
    private func startWorkers(_ shared: inout BatchState.Shared) {
        while !shared.cursor.exhausted, shared.workers.count < options.workerCount, shared.hasRoom {
            let id = shared.nextWorkerID
            shared.nextWorkerID += 1
            let (client, options, state) = (self.client, self.options, self.state)
            shared.workers[id] = Task {
                await Self.work(worker: id, client: client, options: options, state: state)
            }
        }
    }

    private static func work(worker: Int, client: BoldSignClient, options: BatchOptions, state: BatchState) async {
        while let (index, item) = state.claim(worker: worker) {
            switch await client.batchDownload(item, options: options) {
            case .finished(let result):
                state.finish(index: index, item: item, result: result)
            case .downloaded(let delivery, let download):
                client.fileWork.start {
                    state.finish(index: index, item: item,
                                 result: BoldSignClient.batchCommit(delivery, download, as: item.destination, durability: client.configuration.durability))
                }
            }
        }
    }
}

/// How far a worker takes a batch item.
enum BatchDownloadStep: Sendable {
    /// It ended so without a file to commit.
    case finished(BatchOutcome.Result)
    /// Its image is in the delivery's temporary file, to be committed.
    case downloaded(PendingDelivery, ImageDownload)
}

extension BoldSignClient {
    /// Downloads one batch item into a temporary file, with every failure as the outcome, never a throw.
    func batchDownload(_ item: BatchItem, options: BatchOptions) async -> BatchDownloadStep {
        do {
            try options.validate()
            try item.request.validate()
            guard let delivery = try PendingDelivery.forBatch(to: item.destination, replaceExisting: options.replaceExisting,
                                                              skipExisting: options.skipExisting) else { return .finished(.skipped) }
            do {
                return .downloaded(delivery, try await fetchImage(item.request, into: .newFile(delivery.file),
                                                                    timeout: options.itemTimeout, logger: nil))
            } catch {
                delivery.abandon()
                throw error
            }
        } catch {
            return .finished(.failed(BoldSignError.wrapping(error)))
        }
    }

    /// Syncs a downloaded batch item and moves it into place (blocking: on a file thread).
    static func batchCommit(_ delivery: PendingDelivery, _ download: ImageDownload, as destination: FilePath,
                            durability: Configuration.Durability) -> BatchOutcome.Result {
        do {
            try delivery.commit(as: delivery.name, durability: durability)
            var download = download
            download.path = destination
            return .downloaded(download)
        } catch {
            return .failed(error)
        }
    }
}

private enum BatchStep {
    case outcome(BatchOutcome), done, wait
}

/// What the consumer and the workers share, behind one lock: the source and counters, the outcomes not
/// yet collected and the workers.
final class BatchState: Sendable {
    struct Shared {
        var cursor: BatchCursor
        let claimLimit: Int
        var finished: [BatchOutcome] = []
        var waiter: CheckedContinuation<Void, Never>?
        var workers: [Int: Task<Void, Never>] = [:]
        var nextWorkerID = 0

        /// Items pulled and not yet finished are `cursor.progress.inFlight`.
        var hasRoom: Bool { cursor.progress.inFlight + finished.count < claimLimit }
        /// No worker runs and no item is still being committed: nothing more will finish.
        var isOver: Bool { workers.isEmpty && cursor.progress.inFlight == 0 }
    }

    let shared: Locked<Shared>

    init(pull: @escaping () -> BatchItem?, concurrency: Int) {
        shared = Locked(Shared(cursor: BatchCursor(pull: pull), claimLimit: 2 * max(1, concurrency) + 1))
    }

    /// The next item for `worker`, or nil when the worker must stop (it is then deregistered).
    func claim(worker: Int) -> (Int, BatchItem)? {
        let (claimed, waiter) = shared.withLock { shared -> ((Int, BatchItem)?, CheckedContinuation<Void, Never>?) in
            if shared.hasRoom, let claimed = shared.cursor.claim() {
                return (claimed, nil)
            }
            shared.workers[worker] = nil
            // The last worker leaving may be what the consumer waits for (the end of the batch).
            guard shared.workers.isEmpty else { return (nil, nil) }
            defer { shared.waiter = nil }
            return (nil, shared.waiter)
        }
        waiter?.resume()
        return claimed
    }

    func finish(index: Int, item: BatchItem, result: BatchOutcome.Result) {
        let waiter = shared.withLock { shared -> CheckedContinuation<Void, Never>? in
            shared.finished.append(shared.cursor.finish(result, index: index, item: item))
            defer { shared.waiter = nil }
            return shared.waiter
        }
        waiter?.resume()
    }

    /// Pulls nothing more and cancels the downloads in flight; their outcomes still arrive.
    func cancelAll() {
        let workers = shared.withLock { shared -> [Task<Void, Never>] in
            shared.cursor.stop()
            return Array(shared.workers.values)
        }
        for worker in workers { worker.cancel() }
    }
}
