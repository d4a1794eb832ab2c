import NIOCore
#if Webhooks
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import NIOHTTP1
import NIOPosix
#endif

/// Sends a ``WebhookDelivery`` over plain HTTP/1.1 and reads the receiver's answer.
enum WebhookSender {
    /// Signs and sends `delivery`; throws when the package was built without its `Webhooks` trait (the
    /// signing needs swift-crypto).
    static func send(_ delivery: WebhookDelivery, group: any EventLoopGroup) async throws(WebhookDeliveryError) -> WebhookDeliveryResult {
        #if Webhooks
        try await signAndSend(delivery, group: group)
        #else
        throw WebhookDeliveryError(description: "the mock server was built without the Webhooks trait")
        #endif
    }
}

#if Webhooks
extension WebhookSender {
    private static func signAndSend(_ delivery: WebhookDelivery, group: any EventLoopGroup) async throws(WebhookDeliveryError) -> WebhookDeliveryResult {
        guard let url = URLComponents(string: delivery.url), url.scheme?.lowercased() == "http", let host = url.host, !host.isEmpty else {
            throw WebhookDeliveryError(description: "url must be http://host[:port]/path")
        }
        let eventID = delivery.eventId ?? UUID().uuidString.lowercased()
        let signedAt = delivery.signedAt ?? Int64(Date().timeIntervalSince1970)
        let body = delivery.body(eventID: eventID, created: signedAt)
        let signature = delivery.signatureOverride ?? signatureHeader(body: body, secret: delivery.secret,
                                                                       previousSecret: delivery.previousSecret, timestamp: signedAt)
        var headers = HTTPHeaders()
        headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
        headers.add(name: "Content-Length", value: String(body.count))
        headers.add(name: "User-Agent", value: "boldsign-mock-webhooks")
        headers.add(name: "X-BoldSign-Event", value: delivery.eventType)
        headers.add(name: "X-BoldSign-Signature", value: signature)
        headers.add(name: "Connection", value: "close")
        let path = (url.percentEncodedPath.isEmpty ? "/" : url.percentEncodedPath) + (url.percentEncodedQuery.map { "?\($0)" } ?? "")
        do {
            let channel = try await ClientBootstrap(group: group)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: url.port ?? 80) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
            return try await channel.executeThenClose { inbound, outbound in
                try await outbound.write(.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: path, headers: headers)))
                try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
                try await outbound.write(.end(nil))
                var status = 0
                var answer: [UInt8] = []
                for try await part in inbound {
                    switch part {
                    case .head(let head): status = Int(head.status.code)
                    case .body(let buffer): answer += buffer.readableBytesView.prefix(1024 - answer.count)
                    case .end: return WebhookDeliveryResult(eventId: eventID, status: status, body: String(decoding: answer, as: UTF8.self))
                    }
                }
                throw WebhookDeliveryError(description: "the receiver closed the connection before answering")
            }
        } catch let error as WebhookDeliveryError {
            throw error
        } catch {
            throw WebhookDeliveryError(description: "cannot deliver the webhook to \(host): \(error)")
        }
    }

    /// `t=<timestamp>, s0=<hex>[, s1=<hex>]`: HMAC-SHA256 of `"<timestamp>.<body>"`.
    static func signatureHeader(body: [UInt8], secret: String, previousSecret: String?, timestamp: Int64) -> String {
        let signed = Array("\(timestamp).".utf8) + body
        func hex(_ secret: String) -> String {
            HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
                .map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        }
        return "t=\(timestamp), s0=\(hex(secret))" + (previousSecret.map { ", s1=\(hex($0))" } ?? "")
    }
}
#endif
