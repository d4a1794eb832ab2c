#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A request for a link that embeds BoldSign's manual identity verification in your application:
/// `POST /v1/identityVerification/createEmbeddedVerificationUrl?documentId=…`.
///
/// It is for a signer whose automatic verification **failed**: the sender opens the link and reviews the
/// documents by hand. For any other signer BoldSign answers 400 (``BoldSignError/Kind/badRequest``).
public struct EmbeddedVerificationRequest: Sendable, Hashable {
    /// The document's id (a UUID).
    public var documentID: String
    /// The signer whose verification failed.
    public var signer: Signer
    /// The signer's order on the document (BoldSign's SDKs default to 1).
    public var order: Int
    /// Where the sender is sent once the review is done: an absolute `https://` URL.
    public var redirectURL: String?
    /// The sender identity (email) to act on behalf of, when the document was sent on someone's behalf.
    public var onBehalfOf: String?

    /// Creates a request.
    public init(documentID: String, signer: Signer, order: Int = 1, redirectURL: String? = nil, onBehalfOf: String? = nil) {
        self.documentID = documentID
        self.signer = signer
        self.order = order
        self.redirectURL = redirectURL
        self.onBehalfOf = onBehalfOf
    }

    /// Checks every field; the error names the first bad one.
    ///
    /// - Throws: ``BoldSignError`` of kind ``BoldSignError/Kind/invalidRequest``.
    public func validate() throws(BoldSignError) {
        try fields.validate()
    }

    var fields: RequestFields {
        RequestFields(documentID: documentID, signer: signer, order: order, fileID: nil, onBehalfOf: onBehalfOf, redirectURL: redirectURL)
    }
}

/// The embedded verification link BoldSign created (`EmbeddedFileLink`).
struct EmbeddedFileLink: Decodable {
    var url: String?
}
