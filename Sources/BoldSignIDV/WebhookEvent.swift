#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A webhook call BoldSign made, decoded: which event, and for identity-verification events the signer
/// whose verification it is about.
///
/// Verify the call before trusting any of it (``WebhookVerifier``, with the `Webhooks` trait).
public struct WebhookEvent: Sendable, Hashable {
    /// The event's id: the same for every delivery of one event, so that a duplicate can be recognised.
    public var id: String
    /// What happened.
    public var eventType: WebhookEventType
    /// When BoldSign created the event, in Unix seconds.
    public var created: Int64
    /// `Test` or `Live`, when given.
    public var environment: String?
    /// For the identity-verification events: the document and signer the verification was for.
    public var identityVerification: IdentityVerificationEvent?

    /// Creates an event.
    public init(id: String, eventType: WebhookEventType, created: Int64, environment: String? = nil,
                identityVerification: IdentityVerificationEvent? = nil) {
        self.id = id
        self.eventType = eventType
        self.created = created
        self.environment = environment
        self.identityVerification = identityVerification
    }

    /// Decodes a webhook body (`{"event": {…}, "data": {…}}`); unknown fields are ignored.
    ///
    /// - Throws: ``WebhookError/Kind/malformedBody`` for a body that is not such JSON, or an identity-verification
    ///   event whose signer cannot be told (no email and no phone number).
    public init(decoding body: some Collection<UInt8>) throws(WebhookError) {
        let envelope: Envelope
        do {
            envelope = try JSONDecoder().decode(Envelope.self, from: Data(body))
        } catch {
            throw WebhookError(.malformedBody, "the body is not a BoldSign webhook (\(Self.describe(error)))")
        }
        self.init(id: envelope.event.id, eventType: WebhookEventType(rawValue: envelope.event.eventType),
                  created: envelope.event.created, environment: envelope.event.environment)
        if let data = envelope.data, data.object?.lowercased() == "identityverification" || eventType.isIdentityVerification {
            identityVerification = try IdentityVerificationEvent(data, actorID: envelope.context?.actor?.id)
        }
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "not JSON" }
        switch error {
        case .keyNotFound(let key, let context):
            return "no \((context.codingPath.map(\.stringValue) + [key.stringValue]).joined(separator: "."))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context):
            return "\(context.codingPath.map(\.stringValue).joined(separator: ".")) has the wrong type"
        case .dataCorrupted:
            return "not JSON"
        @unknown default:
            return "not JSON"
        }
    }

    struct Envelope: Decodable {
        struct Event: Decodable {
            var id: String
            var created: Int64
            var eventType: String
            var environment: String?
        }

        struct Data: Decodable {
            struct Signer: Decodable {
                struct Phone: Decodable {
                    var countryCode: String?
                    var number: String?
                }

                var id: String?
                var signerEmail: String?
                var phoneNumber: Phone?
                var order: Int?
                /// Present (any value but null) on a signer who must verify their identity.
                var idVerification: Present?
            }

            var object: String?
            var documentId: String?
            var status: String?
            /// The identity-verification shape: the one signer.
            var signerDetail: Signer?
            /// The document-event shape: every signer of the document.
            var signerDetails: [Signer]?
        }

        /// Who caused the event (`context.actor`); its id is a signer's `id` when a signer did.
        struct Context: Decodable {
            struct Actor: Decodable {
                var id: String?
            }

            var actor: Actor?
        }

        /// Any JSON value but null.
        struct Present: Decodable {
            init(from decoder: any Decoder) throws {}
        }

        var event: Event
        var context: Context?
        var data: Data?
    }
}

/// The `eventType` of a webhook.
public struct WebhookEventType: RawRepresentable, Sendable, Hashable, CustomStringConvertible {
    /// The name BoldSign gives, such as `IdentityVerificationSucceeded`.
    public var rawValue: String

    /// Creates a type from BoldSign's name.
    public init(rawValue: String) {
        self.rawValue = rawValue
    }

    /// The ping BoldSign sends when a webhook is registered; answer 200 within 10 seconds.
    public static let verification = WebhookEventType(rawValue: "Verification")
    /// A signer started identity verification.
    public static let identityVerificationInitiated = WebhookEventType(rawValue: "IdentityVerificationInitiated")
    /// A signer's identity verification succeeded: the report and images are available.
    public static let identityVerificationSucceeded = WebhookEventType(rawValue: "IdentityVerificationSucceeded")
    /// A signer's identity verification failed: the report and images are available, and an embedded
    /// verification URL can be created for a manual review.
    public static let identityVerificationFailed = WebhookEventType(rawValue: "IdentityVerificationFailed")

    /// One of the three identity-verification events.
    public var isIdentityVerification: Bool {
        self == .identityVerificationInitiated || self == .identityVerificationSucceeded || self == .identityVerificationFailed
    }

    /// A verification that ended (succeeded or failed): the moment to fetch the report and the images.
    public var endsIdentityVerification: Bool {
        self == .identityVerificationSucceeded || self == .identityVerificationFailed
    }

    /// The raw name.
    public var description: String { rawValue }
}

/// The document and signer of an identity-verification webhook: what ``BoldSignClient/report(documentID:signer:order:onBehalfOf:timeout:logger:)``
/// and ``BoldSignClient/downloadAllImages(documentID:signer:order:onBehalfOf:to:timeout:logger:)`` need.
public struct IdentityVerificationEvent: Sendable, Hashable {
    /// The document's id.
    public var documentID: String
    /// The signer, by email when BoldSign gave one, otherwise by phone.
    public var signer: Signer
    /// The signer's order on the document.
    public var order: Int
    /// The verification's status as BoldSign names it, when given.
    public var status: String?

    /// Creates an event.
    public init(documentID: String, signer: Signer, order: Int, status: String? = nil) {
        self.documentID = documentID
        self.signer = signer
        self.order = order
        self.status = status
    }

    /// The event's signer, from either shape BoldSign sends: `data.signerDetail` (one signer), or
    /// `data.signerDetails` (the document event's list of every signer), where it is the signer who caused
    /// the event (`context.actor.id`), else the only one who must verify their identity
    /// (`idVerification`), else the only one listed. A list that leaves it open is refused as malformed
    /// rather than guessed at: archiving the wrong signer would miss the right one.
    init(_ data: WebhookEvent.Envelope.Data, actorID: String?) throws(WebhookError) {
        guard let documentID = data.documentId, !documentID.isEmpty else {
            throw WebhookError(.malformedBody, "the identity-verification event has no data.documentId")
        }
        let detail: WebhookEvent.Envelope.Data.Signer?
        if let single = data.signerDetail {
            detail = single
        } else if let all = data.signerDetails, !all.isEmpty {
            let verifying = all.filter { $0.idVerification != nil }
            if let actorID, let actor = all.first(where: { $0.id == actorID }) {
                detail = actor
            } else if verifying.count == 1 {
                detail = verifying[0]
            } else if all.count == 1 {
                detail = all[0]
            } else {
                throw WebhookError(.malformedBody, "the identity-verification event lists \(all.count) signers and does not say whose verification it is")
            }
        } else {
            detail = nil
        }
        let signer: Signer
        if let email = detail?.signerEmail, !email.isEmpty {
            signer = .email(email)
        } else if let code = detail?.phoneNumber?.countryCode, let number = detail?.phoneNumber?.number, !code.isEmpty, !number.isEmpty {
            signer = .phone(countryCode: code, number: number)
        } else {
            throw WebhookError(.malformedBody, "the identity-verification event names no signer email or phone number")
        }
        self.init(documentID: documentID, signer: signer, order: detail?.order ?? 1, status: data.status)
    }

    /// Checks the fields as a request would before sending them: the document id a UUID, the email or
    /// phone number well-formed and free of control characters, the order 1 or more. Check an event before
    /// queueing it: a webhook is signed by BoldSign, but its fields still become requests and paths.
    ///
    /// - Throws: ``BoldSignError`` of kind ``BoldSignError/Kind/invalidRequest`` naming the first bad field.
    public func validate() throws(BoldSignError) {
        try RequestFields(documentID: documentID, signer: signer, order: order, fileID: nil, onBehalfOf: nil).validate()
    }
}
