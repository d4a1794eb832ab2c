#if Webhooks
import Crypto
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Checks that a webhook call comes from BoldSign: the `X-BoldSign-Signature` header must carry an
/// HMAC-SHA256, under your webhook secret, of `"<t>.<raw body>"`, made within the tolerance of now.
///
/// During a secret rotation BoldSign signs with both secrets (`s0` new, `s1` previous); pass the previous one
/// too and either is accepted. Comparisons take constant time.
///
/// ```swift
/// let verifier = WebhookVerifier(secret: secretFromFile)
/// let event = try verifier.verifiedEvent(body: body, signatureHeader: request.headers["X-BoldSign-Signature"])
/// if event.eventType == .verification { return .ok }           // registration ping
/// if event.eventType.endsIdentityVerification, let idv = event.identityVerification {
///     try await client.downloadAllImages(documentID: idv.documentID, signer: idv.signer, order: idv.order, to: archive)
/// }
/// ```
public struct WebhookVerifier: Sendable, CustomStringConvertible {
    private let keys: [SymmetricKey]
    /// The largest accepted distance between the signature's time and now.
    public let tolerance: Duration

    /// Creates a verifier.
    ///
    /// - Parameters:
    ///   - secret: The webhook's signing secret.
    ///   - previousSecret: The secret before the last rotation, accepted as well while BoldSign still signs with it.
    ///   - tolerance: How far the signature's time may be from now, either way; BoldSign's helpers use 300 seconds.
    public init(secret: String, previousSecret: String? = nil, tolerance: Duration = .seconds(300)) {
        keys = ([secret] + (previousSecret.map { [$0] } ?? [])).map { SymmetricKey(data: Array($0.utf8)) }
        self.tolerance = tolerance
    }

    /// Verifies a call's signature.
    ///
    /// - Parameters:
    ///   - body: The request body exactly as received (not re-encoded JSON).
    ///   - signatureHeader: The `X-BoldSign-Signature` header's value, nil when absent.
    ///   - now: The current time (for tests).
    /// - Throws: ``WebhookError``: ``WebhookError/Kind/malformedSignature``, ``WebhookError/Kind/stale`` or
    ///   ``WebhookError/Kind/signatureMismatch``.
    public func verify(body: some Collection<UInt8>, signatureHeader: String?, now: Date = Date()) throws(WebhookError) {
        guard let signatureHeader else { throw WebhookError(.malformedSignature, "there is no \(WebhookSignatureHeader.name) header") }
        let header = try WebhookSignatureHeader(signatureHeader)
        let age = now.timeIntervalSince1970 - Double(header.timestamp)
        guard abs(age) <= Double(tolerance.components.seconds) + Double(tolerance.components.attoseconds) * 1e-18 else {
            throw WebhookError(.stale, "the signature was made \(Duration.seconds(age).components.seconds) s from now; at most \(tolerance) is accepted")
        }
        let signed = Array("\(header.timestamp).".utf8) + Array(body)
        for key in keys {
            for signature in header.signatures where HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: key) {
                return
            }
        }
        throw WebhookError(.signatureMismatch, "no signature in the header matches the body under the webhook secret")
    }

    /// Verifies a call's signature and decodes its body.
    ///
    /// - Throws: ``WebhookError``: what ``verify(body:signatureHeader:now:)`` throws, or ``WebhookError/Kind/malformedBody``.
    public func verifiedEvent(body: some Collection<UInt8>, signatureHeader: String?, now: Date = Date()) throws(WebhookError) -> WebhookEvent {
        try verify(body: body, signatureHeader: signatureHeader, now: now)
        return try WebhookEvent(decoding: body)
    }

    /// The `X-BoldSign-Signature` value BoldSign would send for `body` at `timestamp` — for tests of your own
    /// webhook endpoint.
    ///
    /// - Parameters:
    ///   - body: The exact body.
    ///   - secret: Signs `s0`.
    ///   - previousSecret: Signs `s1`, as during a rotation.
    ///   - timestamp: Unix seconds.
    public static func signatureHeader(for body: some Collection<UInt8>, secret: String, previousSecret: String? = nil, timestamp: Int64) -> String {
        let signed = Array("\(timestamp).".utf8) + Array(body)
        func hex(_ secret: String) -> String {
            HMAC<SHA256>.authenticationCode(for: signed, using: SymmetricKey(data: Array(secret.utf8)))
                .map { byte in (byte < 16 ? "0" : "") + String(byte, radix: 16) }.joined()
        }
        return "t=\(timestamp), s0=\(hex(secret))" + (previousSecret.map { ", s1=\(hex($0))" } ?? "")
    }

    /// `WebhookVerifier(tolerance: …)`: the secrets are never shown.
    public var description: String { "WebhookVerifier(tolerance: \(tolerance))" }
}
#endif
