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
        try RequestValidation.documentID(documentID)
        try RequestValidation.signer(signer)
        try RequestValidation.order(order)
        try RequestValidation.text(fileID, field: "fileId")
        if let onBehalfOf { try RequestValidation.text(onBehalfOf, field: "onBehalfOf") }
    }

    /// The JSON body: camelCase keys, absent values omitted.
    var jsonBody: [UInt8] {
        var object = JSONObjectWriter()
        RequestValidation.write(signer, order: order, into: &object)
        object.add("fileId", fileID)
        if let onBehalfOf { object.add("onBehalfOf", onBehalfOf) }
        return object.result
    }
}

/// Field checks shared by every request type.
enum RequestValidation {
    static let maxFieldLength = 1024

    static func documentID(_ value: String) throws(BoldSignError) {
        guard UUIDText.isValid(value) else {
            throw .invalidRequest(field: "documentId", "must be a UUID such as 55a6f0cf-0000-4000-8000-796d02cb0977")
        }
    }

    static func signer(_ signer: Signer) throws(BoldSignError) {
        switch signer {
        case .email(let email):
            try text(email, field: "emailId")
            guard email.contains("@") else { throw .invalidRequest(field: "emailId", "must be an email address") }
        case .phone(let countryCode, let number):
            try text(countryCode, field: "countryCode")
            try text(number, field: "phoneNumber")
        }
    }

    static func order(_ value: Int) throws(BoldSignError) {
        guard (1...Int(Int32.max)).contains(value) else { throw .invalidRequest(field: "order", "must be 1 or more") }
    }

    /// Non-empty, not too long, no control characters (which could break a log line or a header).
    static func text(_ value: String, field: String) throws(BoldSignError) {
        guard !value.isEmpty else { throw .invalidRequest(field: field, "must not be empty") }
        guard value.utf8.count <= maxFieldLength else { throw .invalidRequest(field: field, "must be at most \(maxFieldLength) bytes") }
        guard !value.unicodeScalars.contains(where: \.isControlCharacter) else {
            throw .invalidRequest(field: field, "must not contain control characters")
        }
    }

    static func write(_ signer: Signer, order: Int, into object: inout JSONObjectWriter) {
        switch signer {
        case .email(let email):
            object.add("emailId", email)
        case .phone(let countryCode, let number):
            object.add("countryCode", countryCode)
            object.add("phoneNumber", number)
        }
        object.add("order", order)
    }
}

/// Checks the canonical 8-4-4-4-12 hexadecimal UUID form without Foundation.
enum UUIDText {
    static func isValid(_ text: String) -> Bool {
        let utf8 = Array(text.utf8)
        guard utf8.count == 36 else { return false }
        for (index, byte) in utf8.enumerated() {
            if [8, 13, 18, 23].contains(index) {
                guard byte == UInt8(ascii: "-") else { return false }
            } else {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains(byte)
                    || (UInt8(ascii: "A")...UInt8(ascii: "F")).contains(byte) else { return false }
            }
        }
        return true
    }
}
