import BoldSignIDV
import HTTPTypes
import Hummingbird
import Logging

/// `POST /webhooks/boldsign`: verifies BoldSign's call, queues the signer, answers at once. The images are
/// fetched by the worker, so BoldSign never waits on a download.
struct WebhookEndpoint: Sendable {
    static let signatureField = HTTPField.Name("X-BoldSign-Signature")

    let verifier: WebhookVerifier
    let queue: JobQueue
    let metrics: DaemonMetrics
    let logger: Logger

    func handle(_ request: Request) async throws -> Response {
        var request = request
        // BoldSign's bodies are a few KiB; more is not a webhook.
        let body = try await request.collectBody(upTo: 256 * 1024)
        let event: WebhookEvent
        do throws(WebhookError) {
            event = try verifier.verifiedEvent(body: body.readableBytesView, signatureHeader: Self.signatureField.flatMap { request.headers[$0] })
        } catch {
            metrics.webhook("refused")
            logger.notice("webhook refused", metadata: ["reason": "\(error.kind)"])
            return Response(status: .init(code: error.httpStatus))
        }
        guard event.eventType.endsIdentityVerification, let verification = event.identityVerification else {
            // The registration ping and the other events: acknowledged, nothing to do.
            metrics.webhook("ignored")
            return Response(status: .ok)
        }
        let queued = try await queue.enqueue(eventID: event.id, eventType: event.eventType, verification: verification)
        metrics.webhook(queued ? "accepted" : "duplicate")
        metrics.queueDepth(try await queue.depth())
        logger.info(queued ? "webhook queued" : "webhook already queued", metadata: [
            "event": "\(event.id)", "type": "\(event.eventType)", "document": "\(verification.documentID)", "order": "\(verification.order)",
        ])
        return Response(status: .ok)
    }
}
