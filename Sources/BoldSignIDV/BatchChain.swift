internal import CurlTransport

/// One batch worker's downloads, run back to back on the client's transfer thread while they can be.
///
/// A worker task that awaited each download was resumed once per item, a hand-off between threads per
/// item. Here an item's first attempt ends on the transfer thread — rate limiter and metrics settled,
/// the image synced and moved into place, the outcome recorded — and the next item is claimed and
/// started from there, with no task in between: fewer thread hand-offs and context switches per item
/// (the batch cases of `Benchmarks/run.sh` measure it).
///
/// Anything that needs waiting goes back to the worker task, which finishes that item the ordinary way
/// and then starts a new chain: a rate limiter that says wait, a failed first attempt (retried or not as
/// the retry policy says), cancellation — and, in a concurrent batch, a small image (``smallBodyBytes``),
/// whose file work is better done on another core. What a chain runs on the transfer thread is
/// synchronous and short, except `fsync` and the batch's own `claim` and `finish`.
final class BatchChain: Sendable {
    /// An item handed back to the worker task, to be finished there with
    /// ``BoldSignClient/batchResult(resuming:)``.
    struct HandOff: Sendable {
        /// How far the item got on the transfer thread.
        enum Stage: Sendable {
            /// Its transfer never started (the rate limiter said wait).
            case notStarted
            /// Its first attempt failed so; the retry policy decides what follows.
            case failed(BoldSignError)
            /// Its first attempt succeeded; the image is to be checked and moved into place.
            case succeeded(TransferResult, RateLimitStatus?)
        }

        let index: Int
        let item: BatchItem
        /// The item's delivery, begun.
        let delivery: PendingDelivery
        let stage: Stage
    }

    /// Why a chain stopped.
    private enum End: Sendable {
        /// `claim` gave no item.
        case sourceEnded
        /// The worker task was cancelled between two items; nothing was claimed.
        case cancelled
        /// An item the worker task must finish.
        case handOff(HandOff)
    }

    private struct State {
        var continuation: CheckedContinuation<End, Never>?
        var current: LoopTransfer?
        var cancelled = false
    }

    private enum Step {
        case started
        case finished(BatchOutcome.Result)
        case handOff(PendingDelivery, HandOff.Stage)
    }

    /// In a batch that runs more than one at a time, items whose body is smaller than this are handed
    /// back to the worker task once downloaded: for them the file work and the start of the next item
    /// outweigh the transfer, and on the worker task they run on another core, in parallel with the
    /// transfers. The crossover was measured on a 2-core machine (the `2000 x 64 KiB, 16 at a time` and
    /// `200 x 1 MiB` cases of `Benchmarks/run.sh`); on more cores it will move.
    static let smallBodyBytes: Int64 = 256 * 1024

    private let client: BoldSignClient
    private let options: BatchOptions
    private let claim: @Sendable () -> (Int, BatchItem)?
    private let finish: @Sendable (Int, BatchItem, BatchOutcome.Result) -> Void
    private let state = Locked(State())

    private init(client: BoldSignClient, options: BatchOptions, claim: @escaping @Sendable () -> (Int, BatchItem)?,
                 finish: @escaping @Sendable (Int, BatchItem, BatchOutcome.Result) -> Void) {
        self.client = client
        self.options = options
        self.claim = claim
        self.finish = finish
    }

    /// A batch worker's step: downloads `first`, then items from `claim`, passing each result to `finish`
    /// (which may run on the transfer thread), until one needs the calling task — it is then finished
    /// here —, `claim` gives nil, or the task is cancelled. Returns false once `claim` gave nil: the worker
    /// is done; true when it should claim again (which, once cancelled, gives nil).
    static func work(
        from first: (Int, BatchItem), client: BoldSignClient, options: BatchOptions,
        claim: @escaping @Sendable () -> (Int, BatchItem)?, finish: @escaping @Sendable (Int, BatchItem, BatchOutcome.Result) -> Void
    ) async -> Bool {
        let chain = BatchChain(client: client, options: options, claim: claim, finish: finish)
        let end = await withTaskCancellationHandler {
            await withCheckedContinuation { continuation in
                chain.state.withLock { $0.continuation = continuation }
                chain.advance(from: first)
            }
        } onCancel: {
            chain.cancel()
        }
        switch end {
        case .sourceEnded:
            return false
        case .cancelled:
            return true
        case .handOff(let handOff):
            finish(handOff.index, handOff.item, await client.batchResult(resuming: handOff))
            return true
        }
    }

    private func cancel() {
        let current = state.withLock { state -> LoopTransfer? in
            state.cancelled = true
            return state.current
        }
        // Its completion hands the item back, failed as cancelled.
        if let current { client.engine.cancel(current) }
    }

    /// Starts `claimed`, or finishes it at once (skipped, invalid) and goes on with the next, until a
    /// transfer is under way or the chain ends.
    private func advance(from claimed: (Int, BatchItem)) {
        var next = claimed
        while true {
            let (index, item) = next
            switch start(index, item) {
            case .started:
                return
            case .handOff(let delivery, let stage):
                return end(.handOff(HandOff(index: index, item: item, delivery: delivery, stage: stage)))
            case .finished(let result):
                finish(index, item, result)
            }
            guard !state.withLock({ $0.cancelled }) else { return end(.cancelled) }
            guard let claimed = claim() else { return end(.sourceEnded) }
            next = claimed
        }
    }

    private func start(_ index: Int, _ item: BatchItem) -> Step {
        let delivery: PendingDelivery
        do {
            try options.validate()
            try item.request.validate()
            guard let begun = try PendingDelivery.forBatch(to: item.destination, replaceExisting: options.replaceExisting,
                                                           skipExisting: options.skipExisting) else { return .finished(.skipped) }
            delivery = begun
        } catch {
            return .finished(.failed(BoldSignError.wrapping(error)))
        }
        guard client.executor.limiter.tryAcquire() else { return .handOff(delivery, .notStarted) }
        let executor = client.executor
        let started = executor.admit(waited: .zero, operation: .image, logger: client.logger)
        let transfer = client.engine.makeTransfer(client.imageTransfer(item.request), into: .fileDescriptor(delivery.file)) { outcome in
            self.completed(index, item, delivery, outcome: outcome, started: started)
        }
        let cancelled = state.withLock { state -> Bool in
            if !state.cancelled { state.current = transfer }
            return state.cancelled
        }
        if !cancelled {
            if client.engine.start(transfer) { return .started }
            // The transfer's completion holds this chain: kept here, it would keep both alive.
            state.withLock { $0.current = nil }
        }
        // Never started: counted as the attempt the ordinary path's transfer would have failed.
        let failure = cancelled ? TransferError(kind: .cancelled, message: "the transfer was cancelled")
                                : TransferError(kind: .shutdown, message: "the client has been shut down")
        guard case .failure(let error) = executor.settle(.failure(failure), started: started, operation: .image, attempt: 1, logger: client.logger) else {
            return .handOff(delivery, .notStarted)
        }
        return .handOff(delivery, .failed(error))
    }

    /// On the transfer thread: the end of `item`'s first attempt.
    private func completed(_ index: Int, _ item: BatchItem, _ delivery: PendingDelivery, outcome: Result<TransferResult, TransferError>,
                           started: ContinuousClock.Instant) {
        state.withLock { $0.current = nil }
        switch client.executor.settle(outcome, started: started, operation: .image, attempt: 1, logger: client.logger) {
        case .failure(let error):
            end(.handOff(HandOff(index: index, item: item, delivery: delivery, stage: .failed(error))))
        case .success(let (result, rateLimit)) where options.concurrency > 1 && result.bytesWritten < Self.smallBodyBytes:
            end(.handOff(HandOff(index: index, item: item, delivery: delivery, stage: .succeeded(result, rateLimit))))
        case .success(let (result, rateLimit)):
            finish(index, item, client.batchResult(item, delivery: delivery, succeeded: result, rateLimit: rateLimit))
            guard !state.withLock({ $0.cancelled }) else { return end(.cancelled) }
            guard let next = claim() else { return end(.sourceEnded) }
            advance(from: next)
        }
    }

    private func end(_ end: End) {
        state.withLock { $0.continuation.take() }?.resume(returning: end)
    }
}
