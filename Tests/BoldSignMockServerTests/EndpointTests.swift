import BoldSignMockServer
import Foundation
import TestSupport
import Testing

/// The two endpoints, driven by the curl CLI over real loopback sockets.
@Suite struct EndpointTests {
    @Test func reportHasTheFullIdReportShapeWithTheSignersFileIds() async throws {
        try await withServer { _, curl in
            let response = try await curl.post(reportPath(sampleDocument), json: #"{"emailId":"alex.gayle@example.com","order":1}"#)
            #expect(response.status == 200)
            #expect(response.headers["content-type"]?.hasPrefix("application/json") == true)
            let json = try #require(response.json)
            #expect(json["verificationResult"] as? String == "Verified")
            #expect(json["verifiedDate"] as? String == "2026-01-15T10:30:00Z")
            #expect(json.keys.contains("error"))
            let document = try #require(json["document"] as? [String: Any])
            for key in ["type", "firstName", "lastName", "country", "documentNumber", "address", "dob", "issuedDate", "expirationDate"] {
                #expect(document[key] != nil, "document.\(key) missing")
            }
            #expect(document["documentFiles"] as? [String] == [frontFile, "686a2352-aa04-4b9a-a299-593451ed3f7a"])
            #expect(document["selfieFile"] as? String == "c1d7e0a4-2f3b-4e59-b6a8-1f0e9d8c7b6a")
            let dob = try #require(document["dob"] as? [String: Any])
            #expect(dob["year"] as? Int == 1988)
        }
    }

    @Test func reportForAnSMSSignerOnBehalfOfASender() async throws {
        try await withServer { _, curl in
            let body = #"{"countryCode":"+1","phoneNumber":"5550100123","order":2,"onBehalfOf":"SENDER@example.com"}"#
            let response = try await curl.post(reportPath(sampleDocument), json: body)
            #expect(response.status == 200)
            let document = try #require(response.json?["document"] as? [String: Any])
            #expect(document["selfieFile"] as? String == "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")

            let withoutSender = try await curl.post(reportPath(sampleDocument), json: #"{"countryCode":"+1","phoneNumber":"5550100123"}"#)
            #expect(withoutSender.status == 403)
            #expect(withoutSender.json?["error"] as? String != nil)
        }
    }

    @Test func imageBodyIsTheGeneratorsBytesWithTheImageContentType() async throws {
        try await withServer { _, curl in
            // PascalCase keys, as BoldSign's own docs send them: ASP.NET Core binds case-insensitively.
            let body = #"{"EmailId":"alex.gayle@example.com","Order":1,"FileId":"\#(frontFile)"}"#
            let response = try await curl.post(imagePath(sampleDocument), json: body)
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "image/jpeg")
            #expect(response.headers["content-length"] == "\(SampleImage.idCardFront.bytes.count)")
            let file = try #require(MockFixtures.default.documents[0].signers[0].files.first)
            #expect([UInt8](response.body) == file.generator.bytes(in: 0..<file.size))
            #expect([UInt8](response.body) == SampleImage.idCardFront.bytes)
        }
    }

    @Test func theEmbeddedVerificationURLIsOnlyForASignerWhoseVerificationFailed() async throws {
        try await withServer { _, curl in
            let path = "/v1/identityVerification/createEmbeddedVerificationUrl?documentId=\(sampleDocument)"
            let failed = try await curl.post(path, json: #"{"emailId":"failed.check@example.com","order":3,"redirectUrl":"https://example.com/x"}"#)
            #expect(failed.status == 200)
            #expect((failed.json?["url"] as? String)?.hasPrefix("https://") == true, "\(failed.text)")
            let verified = try await curl.post(path, json: #"{"emailId":"alex.gayle@example.com","order":1}"#)
            #expect(verified.status == 400 && verified.json?["error"] is String)
            let badRedirect = try await curl.post(path, json: #"{"emailId":"failed.check@example.com","order":3,"redirectUrl":"nope"}"#)
            #expect(badRedirect.status == 400)
            let report = try await curl.post(reportPath(sampleDocument), json: #"{"emailId":"failed.check@example.com","order":3}"#)
            #expect(report.json?["verificationResult"] as? String == "Failed")
            let unauthenticated = try await curl.post(path, json: #"{"emailId":"failed.check@example.com","order":3}"#, headers: [])
            #expect(unauthenticated.status == 401)
        }
    }

    @Test func bearerTokenIsAcceptedLikeAnAPIKey() async throws {
        try await withServer { _, curl in
            let response = try await curl.post(
                imagePath(sampleDocument), json: #"{"emailId":"alex.gayle@example.com","fileId":"\#(frontFile)"}"#,
                headers: ["Authorization: Bearer test-access-token"])
            #expect(response.status == 200)
            #expect(response.body.count == SampleImage.idCardFront.bytes.count)
        }
    }

    @Test(arguments: [[], ["X-API-KEY: wrong"], ["Authorization: Bearer wrong"], ["Authorization: Basic dGVzdDp0ZXN0"]])
    func missingOrWrongCredentialsGet401WithAJSONError(headers: [String]) async throws {
        try await withServer { server, curl in
            let response = try await curl.post(imagePath(sampleDocument), json: #"{"emailId":"alex.gayle@example.com","fileId":"x"}"#, headers: headers)
            #expect(response.status == 401)
            #expect((response.json?["error"] as? String)?.contains("Unauthorized") == true)
            #expect(response.headers["x-ratelimit-limit"] == nil)
            // The log never keeps a credential's value.
            #expect(server.requestLog.allSatisfy { !$0.headers.flatMap { $0 }.contains { $0.contains("wrong") || $0.contains("dGVzdD") } })
        }
    }

    @Test func unknownPathsGet404AndWrongMethods405() async throws {
        try await withServer { _, curl in
            let missing = try await curl.post("/v1/identityVerification/selfie?documentId=\(sampleDocument)", json: "{}")
            #expect(missing.status == 404)
            #expect(missing.json?["error"] is String)
            let get = try await curl.request(["-X", "GET", "-H", "X-API-KEY: test-api-key"], pathAndQuery: imagePath(sampleDocument))
            #expect(get.status == 405)
            #expect(get.headers["allow"] == "POST")
            #expect(get.json?["error"] is String)
        }
    }

    @Test(arguments: [
        (imagePath(sampleDocument), "{\"emailId\": ", "$"),
        (imagePath(sampleDocument), "[1, 2]", "$"),
        (imagePath("not-a-uuid"), #"{"emailId":"alex.gayle@example.com","fileId":"x"}"#, "documentId"),
        ("/v1/identityVerification/image", #"{"emailId":"alex.gayle@example.com","fileId":"x"}"#, "documentId"),
        (reportPath(sampleDocument), #"{"emailId":"alex.gayle@example.com","order":"first"}"#, "$.order"),
        (imagePath(sampleDocument), #"{"emailId":"alex.gayle@example.com"}"#, "FileId"),
    ])
    func badInputGets400WithAProblemDetailsBodyNamingTheField(path: String, body: String, field: String) async throws {
        try await withServer { _, curl in
            let response = try await curl.post(path, json: body)
            #expect(response.status == 400)
            #expect(response.headers["content-type"]?.hasPrefix("application/problem+json") == true)
            let errors = try #require(response.json?["errors"] as? [String: Any])
            #expect(errors[field] != nil, "errors: \(errors)")
        }
    }

    @Test(arguments: [
        (imagePath(sampleDocument), #"{"emailId":"alex.gayle@example.com","fileId":"no-such-file"}"#, "Invalid file ID"),
        (imagePath(sampleDocument), #"{"emailId":"someone.else@example.com","fileId":"\#(frontFile)"}"#, "signer"),
        (imagePath(sampleDocument), #"{"emailId":"alex.gayle@example.com","order":2,"fileId":"\#(frontFile)"}"#, "signer"),
        (imagePath("00000000-0000-4000-8000-000000000000"), #"{"emailId":"alex.gayle@example.com","fileId":"x"}"#, "Invalid Document ID"),
        (imagePath(largeDocument), #"{"emailId":"alex.gayle@example.com","fileId":"\#(frontFile)"}"#, "signer"),
    ])
    func unknownFilesSignersAndDocumentsGet403WithTheErrorResultShape(path: String, body: String, message: String) async throws {
        try await withServer { _, curl in
            let response = try await curl.post(path, json: body)
            #expect(response.status == 403)
            #expect((response.json?["error"] as? String)?.contains(message) == true, "\(response.text)")
        }
    }

    @Test func adminCountersSeeConnectionReuseAndTheRequestLogKeepsRequestBytes() async throws {
        try await withServer { server, curl in
            // One curl process, three URLs: curl reuses its connection.
            let url = server.baseURL + imagePath(sampleDocument)
            let body = #"{"emailId":"alex.gayle@example.com","fileId":"\#(frontFile)"}"#
            let one = ["-sS", "-o", "/dev/null", "-H", "X-API-KEY: test-api-key", "-H", "Content-Type: application/json", "-d", body, url]
            let run = try await ChildProcess.run("/usr/bin/curl", one + ["--next"] + one + ["--next"] + one)
            #expect(run.status == 0)
            let stats = try await curl.request([], pathAndQuery: "/__admin/stats")
            let json = try #require(stats.json)
            #expect(json["imageRequests"] as? Int == 3)
            #expect(json["imagesServed"] as? Int == 3)
            #expect(server.statistics.connections == 2)  // curl's one, and this stats request's
            let logged = try #require(server.requestLog.first)
            #expect(logged.uri == imagePath(sampleDocument))
            #expect(logged.body == body)
            #expect(logged.header("x-api-key") == "<redacted>")
            #expect(logged.authScheme == "apiKey" && logged.authenticated)

            let reset = try await curl.request(["-X", "POST"], pathAndQuery: "/__admin/reset")
            #expect(reset.status == 204)
            #expect(server.statistics.requests == 0)
        }
    }
}
