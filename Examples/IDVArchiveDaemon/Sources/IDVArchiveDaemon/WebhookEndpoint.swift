import BoldSignIDV
import HTTPTypes
import Hummingbird
import Logging

/// `POST /webhooks/boldsign`: verifies BoldSign's call, checks its fields, queues the signer, answers at once.
/// The images are fetched by the worker, so BoldSign never waits on a download.
struct WebhookEndpoint: Sendable {
    static let signatureField = HTTPField.Name("X-BoldSign-Signature")
    /// BoldSign's bodies are a few KiB; more is not a webhook.
    static let maxBodyBytes = 256 * 1024

    let verifier: WebhookVerifier
    let queue: JobQueue
    let metrics: DaemonMetrics
    let logger: Logger

    func handle(_ request: Request) async throws -> Response {
        var request = request
        let body: ByteBuffer
        do {
            body = try await request.collectBody(upTo: Self.maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            return refuse(.contentTooLarge, reason: "body too large")
        }
        let event: WebhookEvent
        do throws(WebhookError) {
            event = try verifier.verifiedEvent(body: body.readableBytesView, signatureHeader: Self.signatureField.flatMap { request.headers[$0] })
        } catch {
            // BoldSign's URL-verification ping, signed or not, is answered at once: it queues nothing, so there is nothing to forge.
            if let ping = try? WebhookEvent(decoding: body.readableBytesView), ping.eventType == .verification {
                metrics.webhook("ignored", status: 200)
                return Response(status: .ok)
            }
            return refuse(.init(code: error.httpStatus), reason: "\(error.kind)")
        }
        guard event.eventType.endsIdentityVerification, let verification = event.identityVerification else {
            // The registration ping and the other events: acknowledged, nothing to do.
            metrics.webhook("ignored", status: 200)
            return Response(status: .ok)
        }
        do {
            // Signed by BoldSign, but its fields still become requests, database rows and archive paths.
            try verification.validate()
        } catch {
            return refuse(.badRequest, reason: "invalid \(error.field ?? "field")")
        }
        let queued = try await queue.enqueue(eventID: event.id, eventType: event.eventType, verification: verification)
        metrics.webhook(queued ? "accepted" : "duplicate", status: 200)
        metrics.queueDepth(try await queue.depth())
        logger.info(queued ? "webhook queued" : "webhook already queued", metadata: [
            "event": "\(event.id)", "type": "\(event.eventType)", "document": "\(verification.documentID)", "order": "\(verification.order)",
        ])
        return Response(status: .ok)
    }

    private func refuse(_ status: HTTPResponse.Status, reason: String) -> Response {
        metrics.webhook("refused", status: status.code)
        logger.notice("webhook refused", metadata: ["status": "\(status.code)", "reason": "\(reason)"])
        return Response(status: status)
    }
}
