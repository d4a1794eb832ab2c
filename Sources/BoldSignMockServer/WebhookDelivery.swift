#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A webhook the mock server sends as BoldSign would: `POST` to ``url`` with a JSON body and
/// `X-BoldSign-Signature: t=…, s0=…[, s1=…]` signed with ``secret`` (and ``previousSecret``).
///
/// Send one with ``MockServer/sendWebhook(_:)``, or over HTTP with `POST /__admin/webhooks` and this as the
/// JSON body (camelCase keys) — the answer is a ``WebhookDeliveryResult``.
public struct WebhookDelivery: Sendable, Hashable, Codable {
    /// Where to send it: `http://host:port/path` (the mock sends plain HTTP/1.1, to a local receiver).
    public var url: String
    /// The webhook secret that signs `s0`.
    public var secret: String
    /// The previous secret, which signs `s1` as during a rotation.
    public var previousSecret: String?
    /// `IdentityVerificationSucceeded`, `IdentityVerificationFailed`, `IdentityVerificationInitiated` or `Verification`.
    public var eventType: String
    /// The event id; a fresh UUID when nil. Send the same id twice to act out a duplicate delivery.
    public var eventId: String?
    /// The document, for identity-verification events.
    public var documentId: String?
    /// The signer's email, or …
    public var emailId: String?
    /// … the signer's country code and phone number.
    public var countryCode: String?
    /// The signer's phone number.
    public var phoneNumber: String?
    /// The signer's order.
    public var order: Int?
    /// The signature's time in Unix seconds; now when nil (set it in the past for a stale signature).
    public var signedAt: Int64?
    /// Send this header value instead of the real signature (for a bad one).
    public var signatureOverride: String?
    /// The body's shape: `identityVerification` (the default: `data.signerDetail`, one signer) or `document`
    /// (BoldSign's published sample: `data.object` "document", a `signerDetails` list in which the signer
    /// sits between two others, and the signer as `context.actor`).
    public var shape: String?

    /// Creates a delivery.
    public init(url: String, secret: String, previousSecret: String? = nil, eventType: String, eventId: String? = nil,
                documentId: String? = nil, emailId: String? = nil, countryCode: String? = nil, phoneNumber: String? = nil,
                order: Int? = nil, signedAt: Int64? = nil, signatureOverride: String? = nil, shape: String? = nil) {
        self.url = url
        self.secret = secret
        self.previousSecret = previousSecret
        self.eventType = eventType
        self.eventId = eventId
        self.documentId = documentId
        self.emailId = emailId
        self.countryCode = countryCode
        self.phoneNumber = phoneNumber
        self.order = order
        self.signedAt = signedAt
        self.signatureOverride = signatureOverride
        self.shape = shape
    }

    /// The JSON body, shaped as BoldSign's webhook (`event`, `context`, `data`).
    func body(eventID: String, created: Int64) -> [UInt8] {
        var members: [(key: String, value: JSONValue)] = [
            (key: "event", value: .object([
                (key: "id", value: .string(eventID)), (key: "created", value: .number(Double(created))),
                (key: "eventType", value: .string(eventType)), (key: "clientId", value: .null),
                (key: "environment", value: .string("Test")),
            ])),
        ]
        if let documentId {
            let phone: JSONValue = countryCode == nil && phoneNumber == nil ? .null : .object([
                (key: "countryCode", value: countryCode.map(JSONValue.string) ?? .null),
                (key: "number", value: phoneNumber.map(JSONValue.string) ?? .null),
            ])
            let failed = eventType == "IdentityVerificationFailed"
            let signer = JSONValue.object([
                (key: "id", value: .string("signer-\(order ?? 1)")),
                (key: "signerName", value: .string("Signer")),
                (key: "signerEmail", value: emailId.map(JSONValue.string) ?? .null),
                (key: "phoneNumber", value: phone),
                (key: "order", value: .number(Double(order ?? 1))),
                (key: "idVerification", value: .object([
                    (key: "type", value: .string("EveryAccess")),
                    (key: "status", value: .string(failed ? "Failed" : eventType == "IdentityVerificationInitiated" ? "Pending" : "Completed")),
                ])),
            ])
            let isDocumentShape = shape == "document"
            let signers: (key: String, value: JSONValue) = isDocumentShape
                ? (key: "signerDetails", value: .array([Self.bystander("before"), signer, Self.bystander("after")]))
                : (key: "signerDetail", value: signer)
            members.append((key: "context", value: isDocumentShape
                ? .object([(key: "eventType", value: .string(eventType)),
                           (key: "actor", value: .object([(key: "userType", value: .string("Signer")), (key: "id", value: .string("signer-\(order ?? 1)"))]))])
                : .object([])))
            members.append((key: "data", value: .object([
                (key: "object", value: .string(isDocumentShape ? "document" : "identityVerification")),
                (key: "documentId", value: .string(documentId)),
                (key: "messageTitle", value: .string("Please sign")),
                (key: "status", value: .string("InProgress")),
                (key: "senderDetail", value: .object([(key: "name", value: .string("Sender")),
                                                      (key: "emailAddress", value: .string("sender@example.com"))])),
                signers,
            ])))
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return (try? encoder.encode(JSONValue.object(members))).map(Array.init) ?? []
    }

    /// Another signer of the document, who verifies their identity too: only `context.actor` tells them apart.
    private static func bystander(_ name: String) -> JSONValue {
        .object([
            (key: "id", value: .string("bystander-\(name)")), (key: "signerName", value: .string("Other")),
            (key: "signerEmail", value: .string("\(name)@bystander.example")), (key: "order", value: .number(name == "before" ? 90 : 91)),
            (key: "idVerification", value: .object([(key: "type", value: .string("EveryAccess"))])),
        ])
    }
}

/// What happened to a ``WebhookDelivery``.
public struct WebhookDeliveryResult: Sendable, Hashable, Codable {
    /// The event id sent.
    public var eventId: String
    /// The receiver's HTTP status.
    public var status: Int
    /// The start of the receiver's answer (up to 1 KiB), as text.
    public var body: String
}

/// Why a webhook could not be delivered.
public struct WebhookDeliveryError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public let description: String
}
