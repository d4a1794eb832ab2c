@testable import BoldSignIDV
import CurlTransport
import Foundation
import Testing

@Suite struct RequestEncodingTests {
    @Test func bodyIsCamelCaseWithNullsOmittedKeysSortedAndStringsEscaped() throws {
        let request = ImageRequest(documentID: "x", signer: .email("a\"b\\c@ex.com"), order: 2, fileID: "f/\u{2028}é", onBehalfOf: nil)
        let body = request.fields.jsonBody
        #expect(String(decoding: body, as: UTF8.self) == #"{"emailId":"a\"b\\c@ex.com","fileId":"f/\#u{2028}é","order":2}"#)
        let decoded = try JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]
        #expect(decoded?["fileId"] as? String == "f/\u{2028}é")
        let phone = ImageRequest(documentID: "x", signer: .phone(countryCode: "+44", number: "7700 900"), fileID: "f", onBehalfOf: "s@ex.com")
        let json = try JSONSerialization.jsonObject(with: Data(phone.fields.jsonBody)) as? [String: Any]
        #expect(json?["countryCode"] as? String == "+44")
        #expect(json?["phoneNumber"] as? String == "7700 900")
        #expect(json?["order"] as? Int == 1)
        #expect(json?["onBehalfOf"] as? String == "s@ex.com")
        #expect(json?["emailId"] == nil)
        #expect(json?.count == 5)
    }

    @Test func theReportBodyIsTheImageBodyWithoutAFileID() throws {
        let fields = RequestFields(documentID: "x", signer: .email("a@ex.com"), order: 3, fileID: nil, onBehalfOf: "s@ex.com")
        #expect(String(decoding: fields.jsonBody, as: UTF8.self) == #"{"emailId":"a@ex.com","onBehalfOf":"s@ex.com","order":3}"#)
        #expect(fields.url(base: "https://h", endpoint: "report") == "https://h/v1/identityVerification/report?documentId=x")
    }

    @Test(arguments: ["55a6f0cf-0000-4000-8000-796d02cb0977", "55A6F0CF-0000-4000-8000-796D02CB0977"])
    func uuidsAreAccepted(text: String) throws {
        try RequestFields(documentID: text, signer: .email("a@b.c"), order: 1, fileID: "f", onBehalfOf: nil).validate()
    }

    @Test(arguments: ["", "55a6f0cf00004000800079 6d02cb0977", "55a6f0cf-0000-4000-8000-796d02cb097", "55a6f0cf-0000-4000-8000-796d02cb0977x",
                      "g5a6f0cf-0000-4000-8000-796d02cb0977", "55a6f0cf_0000-4000-8000-796d02cb0977", "55a6f0cf-0000-4000-8000-796d02cb097é",
                      "55a6f0cf-0000-4000-8000-796d02cb0977&x=y", "{55a6f0cf-0000-4000-8000-796d02cb0977}"])
    func nonUUIDsAreRejectedSoThatTheQueryNeedsNoEncoding(text: String) {
        #expect(throws: BoldSignError.self) {
            try RequestFields(documentID: text, signer: .email("a@b.c"), order: 1, fileID: "f", onBehalfOf: nil).validate()
        }
    }
}

@Suite struct ConfigurationTests {
    @Test(arguments: [
        ("https://api.boldsign.com", "https://api.boldsign.com"), ("https://api-eu.boldsign.com/", "https://api-eu.boldsign.com"),
        ("http://127.0.0.1:8787", "http://127.0.0.1:8787"), ("http://localhost:1/prefix//", "http://localhost:1/prefix"),
        ("http://[::1]:8080", "http://[::1]:8080"), ("HTTPS://Example.com:443/x", "https://Example.com:443/x"),
    ])
    func acceptedBaseURLsAreNormalised(input: String, expected: String) throws {
        #expect(try BaseURL(input).string == expected)
    }

    @Test func anUnusableLibcurlIsAnInvalidConfigurationNamingItsVersion() {
        let failure = TransferError(kind: .unsupportedLibcurl, message: "libcurl 7.64.0 is older than 7.74.0, the oldest this package supports")
        let error = ResponseErrors.error(for: failure, credentials: .apiKey("k"))
        #expect(error.kind == .invalidConfiguration)
        #expect(error.description.contains("7.64.0"))
    }

    @Test func regionsHaveBoldSignsHosts() {
        #expect(Configuration.Region.allCases.map(\.baseURL) == [
            "https://api.boldsign.com", "https://api-eu.boldsign.com", "https://api-ca.boldsign.com", "https://api-au.boldsign.com",
        ])
    }

    @Test func credentialsNeverPrintTheirSecret() {
        for credentials in [Credentials.apiKey("sk-123456"), .bearerToken("tok-123456")] {
            var dumped = ""
            dump(credentials, to: &dumped)
            var configuration = Configuration(credentials: credentials)
            configuration.maxConcurrentTransfers = 2
            var dumpedConfiguration = ""
            dump(configuration, to: &dumpedConfiguration)
            for text in ["\(credentials)", String(reflecting: credentials), dumped, "\(configuration)", dumpedConfiguration] {
                #expect(!text.contains("123456"), "\(text)")
            }
        }
        #expect(!"\(Signer.email("alice@example.com"))".contains("alice"))
    }
}

@Suite struct ResponseDecodingTests {
    @Test(arguments: [
        (#"{"error":"Invalid file ID."}"#, "Invalid file ID."),
        (#"{"error":null,"message":"Plain message"}"#, "Plain message"),
        (#"{"type":"x","title":"One or more validation errors occurred.","status":400,"errors":{"documentId":["The value 'x' is not valid."],"":["Body required."]}}"#,
         "One or more validation errors occurred. Body required. documentId: The value 'x' is not valid."),
        ("Service\r\nUnavailable\t ", "Service Unavailable"),
        (#"{"error": 42}"#, #"{"error": 42}"#),
        ("[1,2]", "[1,2]"),
    ])
    func serverMessagesComeOutOfEveryBodyShape(body: String, expected: String) {
        #expect(ErrorMessageDecoder.message(from: Array(body.utf8)) == expected)
    }

    @Test func emptyAndInvalidBodiesAreHandled() {
        #expect(ErrorMessageDecoder.message(from: []) == nil)
        #expect(ErrorMessageDecoder.message(from: [0xFF, 0xFE, 0x41]) == "\u{FFFD}\u{FFFD}A")
        #expect(ErrorMessageDecoder.message(from: Array(repeating: UInt8(ascii: "x"), count: 10_000))?.count == ErrorMessageDecoder.maxMessageLength)
    }

    /// Found by the error-body fuzzer: a field that is only whitespace gave an empty message, not nil.
    @Test func aFieldThatSaysNothingIsSkippedAndNeverGivesAnEmptyMessage() {
        #expect(ErrorMessageDecoder.message(from: Array(#"{"error":" ","message":"Invalid file ID."}"#.utf8)) == "Invalid file ID.")
        #expect(ErrorMessageDecoder.message(from: Array(#"{"error":"\u0001\t","title":"Bad request"}"#.utf8)) == "Bad request")
        #expect(ErrorMessageDecoder.message(from: Array(#"{"error":" "}"#.utf8)) == #"{"error":" "}"#)
        #expect(ErrorMessageDecoder.message(from: Array("  \r\n ".utf8)) == nil)
    }

    @Test func retryAfterReadsSecondsAndHTTPDates() {
        let now = Date(timeIntervalSince1970: 784_111_777)  // Sun, 06 Nov 1994 08:49:37 GMT
        #expect(HTTPHeaderTime.retryAfter("120", now: now) == .seconds(120))
        #expect(HTTPHeaderTime.retryAfter(" 0 ", now: now) == .seconds(0))
        #expect(HTTPHeaderTime.retryAfter("Sun, 06 Nov 1994 08:50:07 GMT", now: now) == .seconds(30))
        #expect(HTTPHeaderTime.retryAfter("Sun, 06 Nov 1994 08:40:00 GMT", now: now) == .zero)
        for bad in ["-1", "soon", "", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT", "99999999999",
                    "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:61:37 GMT"] {
            #expect(HTTPHeaderTime.retryAfter(bad, now: now) == nil, "\(bad)")
        }
    }

    @Test func rateLimitResetReadsUnixTimeDelaysAndDates() {
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        #expect(HTTPHeaderTime.resetTime("1800003600", now: now) == Date(timeIntervalSince1970: 1_800_003_600))
        #expect(HTTPHeaderTime.resetTime("60", now: now) == now.addingTimeInterval(60))
        #expect(HTTPHeaderTime.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(HTTPHeaderTime.httpDate("Thu, 29 Feb 2024 23:59:59 GMT") == Date(timeIntervalSince1970: 1_709_251_199))
        #expect(HTTPHeaderTime.resetTime("later", now: now) == nil)
        let status = RateLimitStatus(headers: [("x-ratelimit-limit", "50"), ("x-ratelimit-remaining", " 3"), ("retry-after", "5")], now: now)
        #expect(status == RateLimitStatus(limit: 50, remaining: 3, resetAt: nil, retryAfter: .seconds(5)))
        #expect(RateLimitStatus(headers: [("content-type", "image/png")]) == nil)
    }

    @Test func formatsAreRecognisedFromLeadingBytes() {
        #expect(ImageFormat(leadingBytes: [0xFF, 0xD8, 0xFF, 0xE0]) == .jpeg)
        #expect(ImageFormat(leadingBytes: [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0]) == .png)
        #expect(ImageFormat(leadingBytes: Array("GIF89a...".utf8)) == .gif)
        #expect(ImageFormat(leadingBytes: Array("RIFF\0\0\0\0WEBPVP8 ".utf8)) == .webp)
        #expect(ImageFormat(leadingBytes: Array(#"{"error":"x"}"#.utf8)) == .other)
        #expect(ImageFormat(leadingBytes: [UInt8]()) == .other)
        #expect(ImageFormat(leadingBytes: [0xFF, 0xD8]) == .other)
    }
}

@Suite struct ControlCharacterTests {
    @Test func theRangeCheckAgreesWithUnicodeOnEveryScalar() {
        var disagreements: [UInt32] = []
        for value in UInt32(0)...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            if scalar.isControlCharacter != (scalar.properties.generalCategory == .control) { disagreements.append(value) }
        }
        #expect(disagreements.isEmpty, "\(disagreements.prefix(10))")
    }
}
