#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// One identity-verification image to fetch: `POST /v1/identityVerification/image?documentId=…`.
///
/// The file id comes from the report (``IdentityVerificationReport``'s `documentFiles` and `selfieFile`).
/// Everything is checked before a byte is sent; see ``validate()``.
public struct ImageRequest: Sendable, Hashable {
    /// The document's id (a UUID).
    public var documentID: String
    /// The signer who uploaded the image.
    public var signer: Signer
    /// The signer's order on the document (BoldSign's SDKs default to 1).
    public var order: Int
    /// The image's file id from the report.
    public var fileID: String
    /// The sender identity (email) to act on behalf of, when the document was sent on someone's behalf.
    public var onBehalfOf: String?

    /// Creates a request.
    public init(documentID: String, signer: Signer, order: Int = 1, fileID: String, onBehalfOf: String? = nil) {
        self.documentID = documentID
        self.signer = signer
        self.order = order
        self.fileID = fileID
        self.onBehalfOf = onBehalfOf
    }

    /// Checks every field; the error names the first bad one.
    ///
    /// - Throws: ``BoldSignError`` of kind ``BoldSignError/Kind/invalidRequest``.
    public func validate() throws(BoldSignError) {
        try RequestFields(documentID: documentID, signer: signer, order: order, fileID: fileID, onBehalfOf: onBehalfOf).validate()
    }

    /// What goes on the wire.
    var fields: RequestFields {
        RequestFields(documentID: documentID, signer: signer, order: order, fileID: fileID, onBehalfOf: onBehalfOf)
    }
}

/// What every identity-verification request sends: the document id in the query, the rest as a JSON body.
/// One type, so that the image, report and embedded-URL requests are validated and encoded the same way.
struct RequestFields: Sendable {
    static let maxFieldLength = 1024

    var documentID: String
    var signer: Signer
    var order: Int
    /// The image's file id; nil for the other requests.
    var fileID: String?
    var onBehalfOf: String?
    /// Where the embedded verification page sends the sender afterwards; nil for the other requests.
    var redirectURL: String? = nil

    /// Checks every field; the error names the first bad one.
    func validate() throws(BoldSignError) {
        guard UUID(uuidString: documentID) != nil else {
            throw .invalidRequest(field: "documentId", "must be a UUID such as 55a6f0cf-0000-4000-8000-796d02cb0977")
        }
        switch signer {
        case .email(let email):
            try Self.text(email, field: "emailId")
            guard email.contains("@") else { throw .invalidRequest(field: "emailId", "must be an email address") }
        case .phone(let countryCode, let number):
            try Self.text(countryCode, field: "countryCode")
            try Self.text(number, field: "phoneNumber")
        }
        guard (1...Int(Int32.max)).contains(order) else { throw .invalidRequest(field: "order", "must be 1 or more") }
        if let fileID { try Self.text(fileID, field: "fileId") }
        if let onBehalfOf { try Self.text(onBehalfOf, field: "onBehalfOf") }
        if let redirectURL {
            try Self.text(redirectURL, field: "redirectUrl")
            guard let url = URL(string: redirectURL), let scheme = url.scheme?.lowercased(), scheme == "https" || scheme == "http",
                  url.host?.isEmpty == false else {
                throw .invalidRequest(field: "redirectUrl", "must be an absolute https:// (or http://) URL")
            }
        }
    }

    /// Non-empty, not too long, no control characters (which could break a log line or a header).
    static func text(_ value: String, field: String) throws(BoldSignError) {
        guard !value.isEmpty else { throw .invalidRequest(field: field, "must not be empty") }
        guard value.utf8.count <= maxFieldLength else { throw .invalidRequest(field: field, "must be at most \(maxFieldLength) bytes") }
        guard !value.unicodeScalars.contains(where: \.isControlCharacter) else {
            throw .invalidRequest(field: field, "must not contain control characters")
        }
    }

    /// `endpoint?documentId=…`: a validated document id is a UUID, which needs no percent-encoding.
    func url(base: String, endpoint: String) -> String {
        base + "/v1/identityVerification/" + endpoint + "?documentId=" + documentID
    }

    /// The JSON body: the API's camelCase names, absent values omitted, keys sorted so that the same
    /// request is always the same bytes.
    var jsonBody: [UInt8] {
        let body = Body(signer: signer, order: order, fileId: fileID, onBehalfOf: onBehalfOf, redirectUrl: redirectURL)
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding fails only for non-finite floating-point values, which this body has none of.
        return (try? encoder.encode(body)).map(Array.init) ?? []
    }

    private struct Body: Encodable {
        var emailId: String?
        var countryCode: String?
        var phoneNumber: String?
        var order: Int
        var fileId: String?
        var onBehalfOf: String?
        var redirectUrl: String?

        init(signer: Signer, order: Int, fileId: String?, onBehalfOf: String?, redirectUrl: String?) {
            switch signer {
            case .email(let email): emailId = email
            case .phone(let code, let number): (countryCode, phoneNumber) = (code, number)
            }
            self.order = order
            self.fileId = fileId
            self.onBehalfOf = onBehalfOf
            self.redirectUrl = redirectUrl
        }
    }
}
