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

        /// `document-1`, `document-2` …, `selfie`: the base of the file name ``BoldSignClient/downloadAllImages(documentID:signer:order:onBehalfOf:to:logger:)`` uses.
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

/// Parses the ISO 8601 timestamps the API sends (`2026-01-15T10:30:00Z`, with optional fraction and offset).
enum ISO8601Timestamp {
    static func parse(_ text: String) -> Date? {
        let bytes = Array(text.utf8)
        func number(_ range: Range<Int>) -> Int? {
            guard range.upperBound <= bytes.count else { return nil }
            var value = 0
            for byte in bytes[range] {
                guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
                value = value * 10 + Int(byte - UInt8(ascii: "0"))
            }
            return value
        }
        guard bytes.count >= 19, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-"),
              bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: "t") || bytes[10] == UInt8(ascii: " "),
              bytes[13] == UInt8(ascii: ":"), bytes[16] == UInt8(ascii: ":"),
              let year = number(0..<4), let month = number(5..<7), let day = number(8..<10),
              let hour = number(11..<13), let minute = number(14..<16), let second = number(17..<19),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second <= 60 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            var scale = 0.1
            let start = index
            while index < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[index]) {
                fraction += Double(bytes[index] - UInt8(ascii: "0")) * scale
                scale /= 10
                index += 1
            }
            guard index > start else { return nil }
        }
        var offset = 0
        if index == bytes.count {
            offset = 0  // no zone: BoldSign's timestamps are UTC
        } else if bytes[index] == UInt8(ascii: "Z") || bytes[index] == UInt8(ascii: "z") {
            guard index + 1 == bytes.count else { return nil }
        } else if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            guard index + 6 == bytes.count, bytes[index + 3] == UInt8(ascii: ":"),
                  let hours = number((index + 1)..<(index + 3)), let minutes = number((index + 4)..<(index + 6)),
                  hours < 24, minutes < 60 else { return nil }
            offset = (hours * 3600 + minutes * 60) * (bytes[index] == UInt8(ascii: "-") ? -1 : 1)
        } else {
            return nil
        }
        let days = CivilDate.daysSinceEpoch(year: year, month: month, day: day)
        let seconds = days * 86_400 + hour * 3600 + minute * 60 + second - offset
        return Date(timeIntervalSince1970: Double(seconds) + fraction)
    }
}

/// Calendar arithmetic shared by the date parsers.
enum CivilDate {
    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysSinceEpoch(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}
