extension BoldSignClient {
    /// Downloads many images and passes each item's outcome to `onOutcome` as it finishes; returns the
    /// batch's final counters once every item is done.
    ///
    /// The same batch as ``downloadBatch(_:options:)``, which it iterates: items pulled from `items` lazily,
    /// at most `options.concurrency` in flight, a failed item does not stop it, one rate limiter and retry
    /// policy for all. `onOutcome` runs on the calling task, one outcome at a time, in the order of
    /// `progress.completed`; while it runs, downloads in flight go on, and at most `concurrency + 1` more items are begun.
    /// It may await (a database write, say); like any code on Swift's cooperative threads, it should not
    /// block its thread.
    /// Cancelling the calling task cancels the downloads in flight — their outcomes still arrive, failed
    /// with ``BoldSignError/Kind/cancelled`` — and pulls no further items.
    ///
    /// ```swift
    /// let progress = await client.downloadBatch(items, options: .init(concurrency: 8)) { outcome in
    ///     if case .failed(let error) = outcome.result { print(outcome.item.destination, error) }
    /// }
    /// print("\(progress.downloaded) downloaded, \(progress.failed) failed")
    /// ```
    public func downloadBatch<Items: Sequence & Sendable>(
        _ items: Items, options: BatchOptions = BatchOptions(), onOutcome: (BatchOutcome) async -> Void
    ) async -> BatchProgress where Items.Element == BatchItem {
        var progress = BatchProgress()
        for await outcome in downloadBatch(items, options: options) {
            progress = outcome.progress
            await onOutcome(outcome)
        }
        return progress
    }
}
