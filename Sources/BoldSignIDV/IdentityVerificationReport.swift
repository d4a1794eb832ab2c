#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// BoldSign's identity-verification report (`IdReport`) for one signer of a document.
///
/// Every field is optional and unknown keys are ignored: BoldSign documents the shape, not which
/// fields are always present. The image file ids are ``IdentityDocument/documentFiles`` and
/// ``IdentityDocument/selfieFile``; ``imageFiles`` lists them together.
public struct IdentityVerificationReport: Sendable, Hashable, Decodable {
    /// The verification outcome as BoldSign words it (values are not enumerated by the API).
    public var verificationResult: String?
    /// When the verification happened.
    public var verifiedDate: Date?
    /// Why verification failed, when it did.
    public var error: VerificationError?
    /// What was read from the identity document.
    public var document: IdentityDocument?

    /// A verification failure's code and message.
    public struct VerificationError: Sendable, Hashable, Decodable {
        /// The failure code.
        public var code: String?
        /// The failure message.
        public var message: String?
    }

    /// Every image file id of the report: the document photos in order, then the selfie.
    public var imageFiles: [ImageFile] {
        var files = (document?.documentFiles ?? []).enumerated().compactMap { index, id in
            id.isEmpty ? nil : ImageFile(role: .document(index: index + 1), fileID: id)
        }
        if let selfie = document?.selfieFile, !selfie.isEmpty { files.append(ImageFile(role: .selfie, fileID: selfie)) }
        return files
    }

    /// Creates a report (for tests and previews).
    public init(verificationResult: String? = nil, verifiedDate: Date? = nil, error: VerificationError? = nil, document: IdentityDocument? = nil) {
        self.verificationResult = verificationResult
        self.verifiedDate = verifiedDate
        self.error = error
        self.document = document
    }

    private enum CodingKeys: String, CodingKey {
        case verificationResult, verifiedDate, error, document
    }

    /// Decodes the API's JSON; an unparseable `verifiedDate` becomes nil rather than an error.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        verificationResult = try container.decodeIfPresent(String.self, forKey: .verificationResult)
        verifiedDate = try container.decodeIfPresent(String.self, forKey: .verifiedDate).flatMap(ISO8601Timestamp.parse)
        error = try container.decodeIfPresent(VerificationError.self, forKey: .error)
        document = try container.decodeIfPresent(IdentityDocument.self, forKey: .document)
    }
}

/// The identity document the signer presented, as read by the verification.
public struct IdentityDocument: Sendable, Hashable, Decodable {
    /// The document type (`Passport`, `IDCard`, `DriverLicense` …).
    public var type: String?
    /// The holder's first name.
    public var firstName: String?
    /// The holder's last name.
    public var lastName: String?
    /// The issuing country.
    public var country: String?
    /// The document number.
    public var documentNumber: String?
    /// The holder's address.
    public var address: Address?
    /// Date of birth.
    public var dob: DayMonthYear?
    /// Date of issue.
    public var issuedDate: DayMonthYear?
    /// Date of expiry.
    public var expirationDate: DayMonthYear?
    /// File ids of the document photos (front, back …).
    public var documentFiles: [String]?
    /// File id of the selfie.
    public var selfieFile: String?

    /// A postal address; every part optional.
    public struct Address: Sendable, Hashable, Decodable {
        /// City.
        public var city: String?
        /// Country.
        public var country: String?
        /// First address line.
        public var line1: String?
        /// Second address line.
        public var line2: String?
        /// Postal code.
        public var postalCode: String?
        /// State or region.
        public var state: String?
    }

    /// A calendar date as BoldSign sends it: day, month and year, each possibly missing.
    public struct DayMonthYear: Sendable, Hashable, Decodable {
        /// Day of the month.
        public var day: Int?
        /// Month, 1 ... 12.
        public var month: Int?
        /// Year.
        public var year: Int?
    }
}

/// One image file named by a report.
public struct ImageFile: Sendable, Hashable {
    /// What the image shows.
    public enum Role: Sendable, Hashable, CustomStringConvertible {
        /// The n-th photo of the identity document (1-based, in the report's order).
        case document(index: Int)
        /// The selfie.
        case selfie

        /// `document-1`, `document-2` …, `selfie`: the base of the file name ``BoldSignClient/downloadAllImages(documentID:signer:order:onBehalfOf:to:timeout:logger:)`` uses.
        public var description: String {
            switch self {
            case .document(let index): return "document-\(index)"
            case .selfie: return "selfie"
            }
        }
    }

    /// What the image shows.
    public var role: Role
    /// Its file id.
    public var fileID: String
}
