internal import CurlTransport

extension BoldSignClient {
    /// Downloads many images and passes each item's outcome to `onOutcome` as it finishes; returns the
    /// batch's final counters once every item is done.
    ///
    /// The same batch as ``downloadBatch(_:options:)`` — items pulled from `items` lazily, at most
    /// `options.concurrency` in flight, a failed item does not stop it, one rate limiter and retry policy
    /// for all — for a caller that only has to look at each outcome. No task iterates: whatever finished
    /// an item calls `onOutcome` itself, so an outcome never waits for another task to be scheduled.
    ///
    /// `onOutcome` is called one outcome at a time, in the order of `progress.completed`, while the batch
    /// holds its lock, and often on the client's transfer thread (see ``downloadBatch(_:options:)`` for
    /// why): keep it short (a line of output, a counter) and never make it wait for this client, since
    /// every download waits for it. The same holds for `items`' iterator, which is called the same way.
    /// Cancelling the calling task cancels the downloads in flight — their outcomes still arrive, failed
    /// with ``BoldSignError/Kind/cancelled`` — and pulls no further items.
    ///
    /// ```swift
    /// let progress = await client.downloadBatch(items, options: .init(concurrency: 8)) { outcome in
    ///     if case .failed(let error) = outcome.result { print(outcome.item.destination, error) }
    /// }
    /// print("\(progress.downloaded) downloaded, \(progress.failed) failed")
    /// ```
    public func downloadBatch<Items: Sequence>(
        _ items: Items, options: BatchOptions = BatchOptions(), onOutcome: @escaping @Sendable (BatchOutcome) -> Void
    ) async -> BatchProgress where Items.Element == BatchItem {
        let run = CallbackBatch(items.makeIterator())
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<options.workerCount {
                group.addTask {
                    while !Task.isCancelled, let first = run.claim(),
                          await BatchChain.work(from: first, client: self, options: options, claim: { run.claim() },
                                                finish: { run.finish(index: $0, item: $1, result: $2, onOutcome) }) {}
                }
            }
        }
        return run.progress
    }
}

/// The shared state of a callback-driven batch: its source and counters, behind a lock.
private final class CallbackBatch: Sendable {
    private let cursor: Locked<BatchCursor>

    init<Source: IteratorProtocol>(_ source: Source) where Source.Element == BatchItem {
        var source = source
        cursor = Locked(BatchCursor(pull: { source.next() }))
    }

    var progress: BatchProgress { cursor.withLock { $0.progress } }

    /// The next item and its index, or nil when the source has ended.
    func claim() -> (Int, BatchItem)? {
        cursor.withLock { $0.claim() }
    }

    /// Counts the item's result and hands its outcome to `onOutcome`, under the lock: outcomes go out one
    /// at a time and in the order their counters say.
    func finish(index: Int, item: BatchItem, result: BatchOutcome.Result, _ onOutcome: (BatchOutcome) -> Void) {
        cursor.withLock { cursor in
            onOutcome(cursor.finish(result, index: index, item: item))
        }
    }
}
