import BoldSignIDV
import Foundation
import Logging
import ServiceLifecycle
import Synchronization
import SystemPackage

/// Takes jobs from the queue and archives each signer's images, `concurrency` signers at a time. The
/// client's rate limiter paces the requests to the account's limit, so a burst of webhooks waits in the
/// queue rather than collecting 429s.
struct ArchiveWorker: Service {
    let queue: JobQueue
    let client: BoldSignClient
    let archive: FilePath
    let concurrency: Int
    let jobTimeout: Duration
    let metrics: DaemonMetrics
    let logger: Logger

    func run() async throws {
        // On graceful shutdown the lanes take no new job; the jobs in hand finish (or the group's drain
        // bound cancels them, and they wait in the queue for the next start).
        let stopping = StopFlag()
        await withGracefulShutdownHandler {
            await withDiscardingTaskGroup { group in
                for _ in 0..<concurrency {
                    group.addTask { await lane(until: stopping) }
                }
            }
        } onGracefulShutdown: {
            stopping.set()
        }
    }

    private func lane(until stopping: StopFlag) async {
        while !Task.isCancelled, !stopping.isSet {
            do {
                guard let job = try await queue.claim() else {
                    // SQLite is the queue; an idle lane looks again shortly (one indexed query).
                    try await Task.sleep(for: .milliseconds(200))
                    continue
                }
                await process(job)
                metrics.queueDepth(try await queue.depth())
            } catch is CancellationError {
                return
            } catch {
                logger.error("the job queue failed", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }

    private func process(_ job: ArchiveJob) async {
        let event = job.verification
        var metadata: Logger.Metadata = ["event": "\(job.eventID)", "document": "\(event.documentID)", "order": "\(event.order)"]
        // No email or phone number in a path: the document and the signer's order name the directory. The
        // webhook checked the document id; checked again here, where it becomes a path, so that nothing that
        // reaches the queue another way can name `.`, `..` or another directory.
        guard let component = FilePath.Component(event.documentID), component.kind == .regular, (try? event.validate()) != nil else {
            try? await queue.fail(job, reason: "invalidRequest", retryAfter: nil)
            metrics.failure("permanent")
            logger.warning("signer not archived: the job's fields are invalid", metadata: ["event": "\(job.eventID)"])
            return
        }
        let directory = archive.appending(component).appending("signer-\(event.order)")
        do {
            try FileManager.default.createDirectory(atPath: directory.string, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
            let saved = try await client.downloadAllImages(documentID: event.documentID, signer: event.signer, order: event.order,
                                                           to: directory, timeout: jobTimeout)
            try await queue.finish(job, images: saved.count)
            metrics.downloaded(saved.filter { !$0.skipped }.count)
            metadata["images"] = "\(saved.count)"
            logger.info("signer archived", metadata: metadata)
        } catch let error as BoldSignError where error.kind == .clientShutdown || error.kind == .cancelled {
            try? await queue.release(job)
        } catch let error as BoldSignError where error.kind == .destinationExists {
            // Another job for the same signer archived the file first: the archive holds it, so this job is done.
            try? await queue.finish(job, images: 0)
            metadata["error"] = "\(error.kind)"
            logger.info("signer already archived", metadata: metadata)
        } catch let error as BoldSignError {
            metadata["error"] = "\(error)"
            // A request BoldSign refused will be refused again; anything else is worth another try, later.
            let permanent = [.invalidRequest, .badRequest, .forbidden, .notFound].contains(error.kind) || job.attempts >= 10
            let delay = Duration.seconds(min(300, 1 << min(job.attempts, 9)))
            try? await queue.fail(job, reason: "\(error.kind)", retryAfter: permanent ? nil : max(delay, error.retryAfter ?? .zero))
            metrics.failure(permanent ? "permanent" : "retry")
            // Leaves no empty directory for a signer with nothing archived (rmdir refuses a non-empty one).
            if permanent { _ = rmdir(directory.string) }
            logger.warning(permanent ? "signer not archived" : "signer not archived yet; will retry", metadata: metadata)
        } catch {
            metadata["error"] = "\(error)"
            try? await queue.fail(job, reason: "archive directory: \(error)", retryAfter: .seconds(60))
            metrics.failure("retry")
            logger.error("cannot write the archive", metadata: metadata)
        }
    }
}

/// Set once, read by every lane.
final class StopFlag: Sendable {
    private let flag = Mutex(false)

    var isSet: Bool { flag.withLock { $0 } }

    func set() { flag.withLock { $0 = true } }
}
