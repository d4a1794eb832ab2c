/// What both batch forms keep under their lock: the source, the next item's index and the counters.
struct BatchCursor {
    /// The source's `next()`; it is not `Sendable`, so it is only ever called under the batch's lock.
    private let pull: () -> BatchItem?
    private var nextIndex = 0
    /// The source has ended, or the batch was stopped: nothing more is pulled.
    private(set) var exhausted = false
    private(set) var progress = BatchProgress()

    init(pull: @escaping () -> BatchItem?) {
        self.pull = pull
    }

    /// The next item and its index, counted in flight; nil once the source has ended or ``stop()`` was called.
    mutating func claim() -> (Int, BatchItem)? {
        guard !exhausted, let item = pull() else {
            exhausted = true
            return nil
        }
        defer { nextIndex += 1 }
        progress.inFlight += 1
        return (nextIndex, item)
    }

    /// Pulls nothing more.
    mutating func stop() {
        exhausted = true
    }

    /// Counts a claimed item's result and returns its outcome, carrying the counters as they now stand.
    mutating func finish(_ result: BatchOutcome.Result, index: Int, item: BatchItem) -> BatchOutcome {
        progress.inFlight -= 1
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
