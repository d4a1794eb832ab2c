import SystemPackage

/// One image of a batch and where it goes.
public struct BatchItem: Sendable, Hashable {
    /// What to download.
    public var request: ImageRequest
    /// The file to write (atomically; see ``BoldSignClient/downloadImage(_:to:replaceExisting:timeout:logger:)``).
    public var destination: FilePath

    /// Creates an item.
    public init(request: ImageRequest, destination: FilePath) {
        self.request = request
        self.destination = destination
    }
}

/// How a batch runs.
public struct BatchOptions: Sendable, Hashable {
    /// Downloads in flight at once (also bounded by ``Configuration/maxConcurrentTransfers``).
    public var concurrency: Int
    /// Skip an item whose destination already exists — it is complete, since files only ever appear
    /// complete — so an interrupted batch resumes where it stopped. When false, such an item fails with
    /// ``BoldSignError/Kind/destinationExists`` unless ``replaceExisting`` is set.
    public var skipExisting: Bool
    /// Download again and replace existing destinations.
    public var replaceExisting: Bool
    /// The deadline of each item's download (see ``Configuration/Timeouts/call``, which it overrides); an
    /// item that misses it fails with ``BoldSignError/Kind/timedOut`` and the batch goes on.
    public var itemTimeout: Duration?

    /// Creates options.
    public init(concurrency: Int = 4, skipExisting: Bool = true, replaceExisting: Bool = false, itemTimeout: Duration? = nil) {
        self.concurrency = max(1, concurrency)
        self.skipExisting = skipExisting
        self.replaceExisting = replaceExisting
        self.itemTimeout = itemTimeout
    }

    /// Checks the options as a batch uses them: a batch whose options are invalid fails each item with
    /// this error and downloads nothing.
    ///
    /// - Throws: ``BoldSignError`` of kind ``BoldSignError/Kind/invalidConfiguration``.
    public func validate() throws(BoldSignError) {
        guard concurrency >= 1 else { throw .invalidConfiguration("BatchOptions.concurrency must be at least 1 (it is \(concurrency))") }
        if let itemTimeout, itemTimeout <= .zero {
            throw .invalidConfiguration("BatchOptions.itemTimeout must be positive (it is \(itemTimeout))")
        }
    }

    /// How many workers run: the concurrency, or one to report each item's failure when it is invalid.
    var workerCount: Int { max(1, concurrency) }
}

/// What happened to one item of a batch.
public struct BatchOutcome: Sendable {
    /// How the item ended.
    public enum Result: Sendable {
        /// Downloaded now.
        case downloaded(ImageDownload)
        /// Its destination already existed; nothing was sent.
        case skipped
        /// It failed; the batch went on.
        case failed(BoldSignError)
    }

    /// The item's position in the input sequence, from 0.
    public var index: Int
    /// The item.
    public var item: BatchItem
    /// How it ended.
    public var result: Result
    /// The batch's progress including this item.
    public var progress: BatchProgress

    /// Creates an outcome (for a stand-in client in tests; a batch makes its own).
    public init(index: Int, item: BatchItem, result: Result, progress: BatchProgress) {
        self.index = index
        self.item = item
        self.result = result
        self.progress = progress
    }
}

/// Counters of a running batch.
public struct BatchProgress: Sendable, Hashable {
    /// Items finished in any way.
    public var completed = 0
    /// Items downloaded.
    public var downloaded = 0
    /// Items skipped because their destination existed.
    public var skipped = 0
    /// Items that failed.
    public var failed = 0
    /// Image bytes downloaded.
    public var bytes: Int64 = 0
    /// Items begun and not finished: downloading (at most the batch's concurrency), or being synced and
    /// moved into place (at most as many again, plus one).
    public var inFlight = 0

    /// Creates empty counters.
    public init() {}
}

extension BoldSignClient {
    /// Downloads many images, yielding each item's outcome as it finishes.
    ///
    /// Items are pulled from `items` lazily, at most `options.concurrency` at a time, so memory does not grow
    /// with the number still queued; at most `concurrency + 1` more are begun while their predecessors'
    /// outcomes wait for the iterating task. A failed item does not stop the batch. Cancelling the task that iterates
    /// cancels the downloads in flight (their outcomes say so) and pulls no further items; so does ending the
    /// iteration early. All requests share the client's rate limiter and retry policy.
    ///
    /// Each item is downloaded as ``downloadImage(_:to:replaceExisting:timeout:logger:)`` does it — into a temporary
    /// file, synced and moved into place on a task of the batch, never on the client's transfer thread — so
    /// a slow disk or a slow consumer of outcomes holds back only this batch, not the client's other downloads.
    ///
    /// ```swift
    /// for try await outcome in client.downloadBatch(items, options: .init(concurrency: 8)) {
    ///     if case .failed(let error) = outcome.result { print(outcome.item.destination, error) }
    /// }
    /// ```
    public func downloadBatch<Items: Sequence & Sendable>(
        _ items: Items, options: BatchOptions = BatchOptions()
    ) -> BatchDownload<Items> where Items.Element == BatchItem {
        BatchDownload(client: self, items: items, options: options)
    }
}

/// The outcomes of a batch, in completion order. Iterate it once.
public struct BatchDownload<Items: Sequence & Sendable>: AsyncSequence, Sendable where Items.Element == BatchItem {
    /// Each item's outcome.
    public typealias Element = BatchOutcome

    let client: BoldSignClient
    let items: Items
    let options: BatchOptions

    /// Starts the batch.
    public func makeAsyncIterator() -> Iterator {
        Iterator(driver: BatchDriver(client: client, items: items.makeIterator(), options: options))
    }

    /// Yields outcomes until every item is done.
    public struct Iterator: AsyncIteratorProtocol {
        let driver: BatchDriver

        /// The next finished item, or nil when all are done (or the iterating task was cancelled and the
        /// downloads in flight have reported).
        public mutating func next() async -> BatchOutcome? {
            await driver.next()
        }
    }
}
