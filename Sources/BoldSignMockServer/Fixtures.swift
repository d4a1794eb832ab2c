/// The data a mock server answers from: who may call it, and which documents, signers and
/// image files exist. Load it from JSON with ``MockFixtures/load(from:)`` or use ``MockFixtures/default``.
///
/// JSON shape (every key camelCase, optional ones may be left out):
/// ```json
/// {
///   "credentials": { "apiKeys": ["test-api-key"], "bearerTokens": ["test-access-token"] },
///   "documents": [{
///     "id": "7d3e7a52-3c1b-4f4e-9a51-0b8f6c2a9e11",
///     "signers": [{
///       "emailId": "alex@example.com", "order": 1,
///       "files": [{ "id": "front", "role": "document", "format": "jpeg", "size": 262144, "seed": 1 }]
///     }]
///   }]
/// }
/// ```
public struct MockFixtures: Sendable, Hashable, Codable {
    /// The credentials the server accepts.
    public struct Credentials: Sendable, Hashable, Codable {
        /// Values accepted in the `X-API-KEY` header.
        public var apiKeys: [String]
        /// Values accepted after `Authorization: Bearer `.
        public var bearerTokens: [String]

        /// Creates a credential set.
        public init(apiKeys: [String] = [], bearerTokens: [String] = []) {
            self.apiKeys = apiKeys
            self.bearerTokens = bearerTokens
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            apiKeys = try c.decodeIfPresent([String].self, forKey: .apiKeys) ?? []
            bearerTokens = try c.decodeIfPresent([String].self, forKey: .bearerTokens) ?? []
        }
    }

    /// A document that has signers who went through identity verification.
    public struct Document: Sendable, Hashable, Codable {
        /// The document id (a UUID, matched case-insensitively).
        public var id: String
        /// The document's signers.
        public var signers: [Signer]

        /// Creates a document.
        public init(id: String, signers: [Signer]) {
            self.id = id
            self.signers = signers
        }
    }

    /// A signer, selected by email or by country code and phone number, plus order.
    public struct Signer: Sendable, Hashable, Codable {
        /// The signer's email, for email delivery.
        public var emailId: String?
        /// The signer's country code, for SMS delivery (for example `+1`).
        public var countryCode: String?
        /// The signer's phone number, for SMS delivery.
        public var phoneNumber: String?
        /// The signer's order on the document.
        public var order: Int
        /// When set, requests must name this sender identity in `onBehalfOf`.
        public var onBehalfOf: String?
        /// The signer's identity verification failed: the generated report says so, and an embedded
        /// verification URL can be created for them (for any other signer that endpoint answers 400).
        public var verificationFailed: Bool
        /// The report body served verbatim; when absent one is built from ``files``.
        public var report: JSONValue?
        /// A fault applied to this signer's report requests.
        public var reportFault: Fault?
        /// The images the signer uploaded.
        public var files: [File]

        /// Creates a signer.
        public init(
            emailId: String? = nil, countryCode: String? = nil, phoneNumber: String? = nil, order: Int = 1,
            onBehalfOf: String? = nil, verificationFailed: Bool = false, report: JSONValue? = nil, reportFault: Fault? = nil,
            files: [File] = []
        ) {
            self.verificationFailed = verificationFailed
            self.emailId = emailId
            self.countryCode = countryCode
            self.phoneNumber = phoneNumber
            self.order = order
            self.onBehalfOf = onBehalfOf
            self.report = report
            self.reportFault = reportFault
            self.files = files
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            emailId = try c.decodeIfPresent(String.self, forKey: .emailId)
            countryCode = try c.decodeIfPresent(String.self, forKey: .countryCode)
            phoneNumber = try c.decodeIfPresent(String.self, forKey: .phoneNumber)
            order = try c.decodeIfPresent(Int.self, forKey: .order) ?? 1
            onBehalfOf = try c.decodeIfPresent(String.self, forKey: .onBehalfOf)
            verificationFailed = try c.decodeIfPresent(Bool.self, forKey: .verificationFailed) ?? false
            report = try c.decodeIfPresent(JSONValue.self, forKey: .report)
            reportFault = try c.decodeIfPresent(Fault.self, forKey: .reportFault)
            files = try c.decodeIfPresent([File].self, forKey: .files) ?? []
        }
    }

    /// One uploaded image.
    public struct File: Sendable, Hashable, Codable {
        /// What the image shows; decides where its id appears in the generated report.
        public enum Role: String, Sendable, Hashable, Codable {
            /// A photo of the identity document (listed in `document.documentFiles`).
            case document
            /// The signer's selfie (`document.selfieFile`).
            case selfie
        }

        /// The file id clients send as `fileId`.
        public var id: String
        /// Where the id appears in the generated report.
        public var role: Role
        /// The signature the body starts with.
        public var format: ImageBodyGenerator.Format
        /// The body's size in bytes (for a ``sample``, its size).
        public var size: Int64
        /// The seed of the body's bytes.
        public var seed: UInt64
        /// Send the body with `Transfer-Encoding: chunked` instead of `Content-Length`.
        public var chunked: Bool
        /// Overrides the `Content-Type` derived from ``format``.
        public var contentType: String?
        /// A fault applied to requests for this file.
        public var fault: Fault?
        /// Serve this committed, decodable image instead of generated bytes (``format`` and ``size`` follow it).
        public var sample: SampleImage?

        /// Creates a file served from a committed sample image.
        public init(id: String, role: Role = .document, sample: SampleImage) {
            self.init(id: id, role: role, format: sample.format, size: Int64(sample.bytes.count))
            self.sample = sample
        }

        /// Creates a file.
        public init(
            id: String, role: Role = .document, format: ImageBodyGenerator.Format = .jpeg, size: Int64,
            seed: UInt64 = 1, chunked: Bool = false, contentType: String? = nil, fault: Fault? = nil
        ) {
            self.id = id
            self.role = role
            self.format = format
            self.size = size
            self.seed = seed
            self.chunked = chunked
            self.contentType = contentType
            self.fault = fault
        }

        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            id = try c.decode(String.self, forKey: .id)
            role = try c.decodeIfPresent(Role.self, forKey: .role) ?? .document
            sample = try c.decodeIfPresent(SampleImage.self, forKey: .sample)
            if let sample {
                (format, size) = (sample.format, Int64(sample.bytes.count))
            } else {
                format = try c.decodeIfPresent(ImageBodyGenerator.Format.self, forKey: .format) ?? .jpeg
                size = try c.decode(Int64.self, forKey: .size)
                guard size >= 0 else {
                    throw DecodingError.dataCorruptedError(forKey: .size, in: c, debugDescription: "size must not be negative")
                }
            }
            seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? 1
            chunked = try c.decodeIfPresent(Bool.self, forKey: .chunked) ?? false
            contentType = try c.decodeIfPresent(String.self, forKey: .contentType)
            fault = try c.decodeIfPresent(Fault.self, forKey: .fault)
        }

        /// The generator of this file's body.
        public var generator: ImageBodyGenerator {
            sample.map(ImageBodyGenerator.init(sample:)) ?? ImageBodyGenerator(format: format, seed: seed, size: size)
        }
    }

    /// Misbehaviour injected into the responses for one file (or one signer's report).
    public struct Fault: Sendable, Hashable, Codable {
        /// A canned response: any status, headers and body.
        public struct Response: Sendable, Hashable, Codable {
            /// The HTTP status.
            public var status: Int
            /// Extra response headers.
            public var headers: [String: String]
            /// The body, sent as written (UTF-8).
            public var body: String

            /// Creates a canned response.
            public init(status: Int, headers: [String: String] = [:], body: String = "") {
                self.status = status
                self.headers = headers
                self.body = body
            }

            public init(from decoder: any Decoder) throws {
                let c = try decoder.container(keyedBy: CodingKeys.self)
                status = try c.decode(Int.self, forKey: .status)
                guard (100...999).contains(status) else {
                    throw DecodingError.dataCorruptedError(forKey: .status, in: c, debugDescription: "status must be 100...999")
                }
                headers = try c.decodeIfPresent([String: String].self, forKey: .headers) ?? [:]
                body = try c.decodeIfPresent(String.self, forKey: .body) ?? ""
            }
        }

        /// Fail the first `count` requests with `response`, then behave normally.
        public struct FailFirst: Sendable, Hashable, Codable {
            /// How many requests fail.
            public var count: Int
            /// What the failing requests get.
            public var response: Response

            /// Creates the fault.
            public init(count: Int, response: Response) {
                self.count = count
                self.response = response
            }
        }

        /// Milliseconds to wait before sending the response head.
        public var latencyMilliseconds: Int?
        /// Stop sending after this many body bytes …
        public var stallAfterBytes: Int64?
        /// … for this many seconds, then send the rest.
        public var stallSeconds: Double?
        /// … and then until the server has received this many requests in all (any path, this one
        /// included): a response that waits for others to be in flight, however slowly they come.
        public var stallUntilRequests: Int?
        /// After this many body bytes, close the connection (HTTP/1.1) or reset the stream with
        /// `RST_STREAM` (HTTP/2); the head still announces the full length.
        public var closeAfterBytes: Int64?
        /// After this many body bytes, close the whole connection, with every stream on it (on HTTP/1.1
        /// the same as ``closeAfterBytes``).
        public var closeConnectionAfterBytes: Int64?
        /// After this many body bytes, send HTTP/2 `GOAWAY` naming this response's stream as the last
        /// one processed, then finish the body: streams opened after it are refused, earlier ones finish.
        /// Ignored on HTTP/1.1.
        public var goAwayAfterBytes: Int64?
        /// Answer every request with this response instead of the file.
        public var respond: Response?
        /// Fail the first requests, then serve the file.
        public var failFirst: FailFirst?
        /// Apply the latency, stall, close and GOAWAY faults only to the first this-many requests (nil: to all).
        public var firstRequests: Int?

        /// Creates a fault.
        public init(
            latencyMilliseconds: Int? = nil, stallAfterBytes: Int64? = nil, stallSeconds: Double? = nil, stallUntilRequests: Int? = nil,
            closeAfterBytes: Int64? = nil, closeConnectionAfterBytes: Int64? = nil, goAwayAfterBytes: Int64? = nil,
            respond: Response? = nil, failFirst: FailFirst? = nil, firstRequests: Int? = nil
        ) {
            self.latencyMilliseconds = latencyMilliseconds
            self.stallAfterBytes = stallAfterBytes
            self.stallSeconds = stallSeconds
            self.stallUntilRequests = stallUntilRequests
            self.closeAfterBytes = closeAfterBytes
            self.closeConnectionAfterBytes = closeConnectionAfterBytes
            self.goAwayAfterBytes = goAwayAfterBytes
            self.respond = respond
            self.failFirst = failFirst
            self.firstRequests = firstRequests
        }
    }

    /// The credentials the server accepts.
    public var credentials: Credentials
    /// The documents the server knows.
    public var documents: [Document]

    /// Creates a fixture set.
    public init(credentials: Credentials, documents: [Document]) {
        self.credentials = credentials
        self.documents = documents
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        credentials = try c.decodeIfPresent(Credentials.self, forKey: .credentials) ?? Credentials()
        documents = try c.decodeIfPresent([Document].self, forKey: .documents) ?? []
    }
}
