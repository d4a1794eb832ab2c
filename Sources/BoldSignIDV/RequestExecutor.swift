internal import CurlTransport
import Logging
import SystemPackage
import Tracing

/// Runs one API request to completion: rate limiter, transfer, error mapping, retries, metrics.
struct RequestExecutor: Sendable {
    enum Output {
        /// A caller's descriptor, at whatever offset and of whatever kind.
        case fileDescriptor(FileDescriptor)
        /// An empty regular file this library just created: rewindable to offset 0 without asking the kernel.
        case newFile(FileDescriptor)
        case memory(limit: Int)
    }

    let engine: CurlEventLoop
    let credentials: Credentials
    let retry: RetryPolicy
    let limiter: ClientRateLimiter
    let metrics: ClientMetrics
    /// Where request spans go; nil for `InstrumentationSystem.tracer`, read per request so that a tracer
    /// bootstrapped after the client was made is used.
    let tracer: (any Tracer)?
    let server: BaseURL
    /// Every call passes it, so that shutdown can refuse new ones and wait for those in flight.
    let gate = CallGate()

    /// Runs `transfer` until it succeeds or fails for good: waits for the rate limiter, performs it, and
    /// retries as the policy says — all before `timeout` has passed, when there is one.
    func execute(_ transfer: TransferRequest, output: Output, operation: ClientMetrics.Operation, timeout: Duration?,
                 logger: Logger) async throws -> (result: TransferResult, rateLimit: RateLimitStatus?) {
        try gate.enter()
        defer { gate.leave() }
        let clock = ContinuousClock()
        let deadline = try Self.deadline(after: timeout)
        var transfer = transfer
        let rewinder: OutputRewinder?
        let sink: TransferSink
        switch output {
        case .fileDescriptor(let fd):
            rewinder = OutputRewinder(fd)
            sink = .fileDescriptor(fd)
        case .newFile(let fd):
            rewinder = OutputRewinder(newFile: fd)
            sink = .fileDescriptor(fd)
        case .memory(let limit):
            rewinder = nil
            sink = .memory(limit: limit)
        }
        var attempt = 1
        while true {
            let waited: Duration
            do {
                waited = try await limiter.acquire(deadline: deadline)
            } catch let limited as BoldSignError {
                metrics.request(operation, outcome: ClientMetrics.outcome(of: limited))
                throw limited
            } catch {
                metrics.request(operation, outcome: .cancelled)
                throw BoldSignError(.cancelled, "the request was cancelled while waiting for the rate limiter")
            }
            if let deadline {
                let left = deadline - clock.now
                guard left > .zero else {
                    limiter.release(nil, status: nil)
                    let error = BoldSignError(.timedOut, "the call's deadline passed while it waited for the rate limiter")
                    metrics.request(operation, outcome: ClientMetrics.outcome(of: error))
                    throw error
                }
                // Rounded up, so that libcurl's limit does not fire before the deadline.
                transfer.options.totalTimeoutMilliseconds = Int(left.milliseconds) + 1
            }
            let started = admit(waited: waited, operation: operation, logger: logger)
            let span = RequestSpan(tracer: tracer ?? InstrumentationSystem.tracer, server: server, attempt: attempt)
            let outcome: Result<TransferResult, TransferError>
            do {
                outcome = .success(try await engine.perform(transfer, into: sink))
            } catch let failure as TransferError {
                outcome = .failure(failure)
            } catch {
                outcome = .failure(TransferError(kind: .other, message: "\(error)"))
            }
            var error: BoldSignError
            let status = try? outcome.get().status
            switch settle(outcome, started: started, operation: operation, attempt: attempt, logger: logger) {
            case .success(let done):
                span.end(status: status, error: nil)
                return done
            case .failure(let failure):
                error = failure
            }
            if let deadline, error.curlCode == Self.curlTimedOut, clock.now + .milliseconds(20) >= deadline {
                // libcurl's total timeout, set from the deadline above, rather than its stall or connect timer
                // (libcurl's clock and ours may differ by a little).
                error = BoldSignError(.timedOut, "the call's deadline passed during the transfer", curlCode: error.curlCode,
                                      bytesWritten: error.bytesWritten)
            }
            span.end(status: status, error: error)
            let rewindable = rewinder?.isRewindable ?? (output.isMemory)
            guard let delay = RetryPlanner.delay(after: error, attempt: attempt, policy: retry, outputRewindable: rewindable),
                  deadline.map({ clock.now + delay < $0 }) ?? true else {
                logger.debug("boldsign request failed", metadata: ["operation": "\(operation.rawValue)", "attempt": "\(attempt)", "error": "\(error)"])
                throw error
            }
            if error.bytesWritten > 0, rewinder?.rewind(written: error.bytesWritten) != true {
                throw error
            }
            metrics.retry(operation)
            logger.debug("boldsign request will be retried", metadata: [
                "operation": "\(operation.rawValue)", "attempt": "\(attempt)", "delay-ms": "\(delay.milliseconds)", "error": "\(error)",
            ])
            do {
                try await Task.sleep(for: delay)
            } catch {
                throw BoldSignError(.cancelled, "the request was cancelled while waiting to retry (last error: \(error))")
            }
            attempt += 1
        }
    }

    /// The instant a call given `timeout` must end by; nil for none.
    ///
    /// - Throws: ``BoldSignError/Kind/invalidConfiguration`` for a timeout that is not positive.
    static func deadline(after timeout: Duration?) throws(BoldSignError) -> ContinuousClock.Instant? {
        guard let timeout else { return nil }
        guard timeout > .zero else { throw .invalidConfiguration("a call's timeout must be positive (it is \(timeout))") }
        // Capped so that no caller's value can overflow the clock's arithmetic.
        return ContinuousClock.now + min(timeout, .seconds(366 * 86_400))
    }

    /// `CURLE_OPERATION_TIMEDOUT`: libcurl's code for its connect, stall and total timeouts alike.
    static let curlTimedOut: Int32 = 28

    /// Counts an attempt the rate limiter admitted after `waited`, as it starts; returns its start time.
    func admit(waited: Duration, operation: ClientMetrics.Operation, logger: Logger) -> ContinuousClock.Instant {
        metrics.limiterWait.recordNanoseconds(waited.saturatingNanoseconds)
        if waited > .milliseconds(100) {
            logger.debug("boldsign request waited for the rate limiter", metadata: ["operation": "\(operation.rawValue)", "waited-ms": "\(waited.milliseconds)"])
        }
        metrics.inFlight.increment()
        return ContinuousClock().now
    }

    /// Records an admitted attempt's end — limiter, metrics, log — and says what it means: a 2xx response
    /// with its rate-limit report, or the error.
    func settle(_ outcome: Result<TransferResult, TransferError>, started: ContinuousClock.Instant, operation: ClientMetrics.Operation,
                attempt: Int, logger: Logger) -> Result<(result: TransferResult, rateLimit: RateLimitStatus?), BoldSignError> {
        metrics.inFlight.decrement()
        metrics.duration(operation, ContinuousClock().now - started)
        let error: BoldSignError
        switch outcome {
        case .success(let result):
            let report = RateLimitStatus(headers: result.headers)
            if report?.resetAt == nil, result.header("x-ratelimit-reset") != nil {
                // The value itself is not logged: it is the server's text, and may carry anything.
                logger.warning("boldsign ignored an implausible X-RateLimit-Reset header", metadata: ["operation": "\(operation.rawValue)"])
            }
            limiter.release(report, status: result.status)
            if result.status == 429 { metrics.rateLimited.increment() }
            if (200..<300).contains(result.status) {
                metrics.request(operation, outcome: .success)
                metrics.bytes(operation, max(result.bytesWritten, Int64(result.body.count)))
                logger.debug("boldsign request done", metadata: metadata(operation, result, attempt: attempt))
                return .success((result, report))
            }
            error = ResponseErrors.error(for: result, credentials: credentials)
        case .failure(let failure):
            limiter.release(nil, status: nil)
            error = ResponseErrors.error(for: failure, credentials: credentials)
        }
        metrics.request(operation, outcome: ClientMetrics.outcome(of: error))
        return .failure(error)
    }

    private func metadata(_ operation: ClientMetrics.Operation, _ result: TransferResult, attempt: Int) -> Logger.Metadata {
        var metadata: Logger.Metadata = [
            "operation": "\(operation.rawValue)", "status": "\(result.status)", "bytes": "\(max(result.bytesWritten, Int64(result.body.count)))",
            "duration-ms": "\(Duration.seconds(result.timing.total).milliseconds)", "reused-connection": "\(result.newConnections == 0)", "attempt": "\(attempt)",
        ]
        if let requestID = ResponseErrors.requestID(result, credentials: credentials) { metadata["request-id"] = "\(requestID)" }
        return metadata
    }
}

extension RequestExecutor.Output {
    var isMemory: Bool {
        if case .memory = self { return true }
        return false
    }
}
