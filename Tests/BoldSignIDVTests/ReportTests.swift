@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// The identity-verification report, decoded from the mock and from hand-written bodies.
@Suite struct ReportTests {
    @Test func theMocksReportDecodesEveryField() async throws {
        try await withClientAndServer { client, _ in
            let report = try await client.report(documentID: sampleDocument, signer: alex)
            #expect(report.verificationResult == "Verified")
            #expect(report.verifiedDate == Date(timeIntervalSince1970: 1_768_473_000))  // 2026-01-15T10:30:00Z
            #expect(report.error == nil)
            let document = try #require(report.document)
            #expect(document.type == "Passport" && document.firstName == "Alex" && document.lastName == "Gayle")
            #expect(document.country == "US" && document.documentNumber == "X1007919")
            #expect(document.address?.city == "Springfield" && document.address?.line2 == nil && document.address?.postalCode == "49007")
            #expect(document.dob == .init(day: 12, month: 5, year: 1988))
            #expect(document.issuedDate == .init(day: 3, month: 2, year: 2020))
            #expect(document.expirationDate == .init(day: 2, month: 2, year: 2030))
            #expect(report.imageFiles == [
                ImageFile(role: .document(index: 1), fileID: frontFile),
                ImageFile(role: .document(index: 2), fileID: "686a2352-aa04-4b9a-a299-593451ed3f7a"),
                ImageFile(role: .selfie, fileID: "c1d7e0a4-2f3b-4e59-b6a8-1f0e9d8c7b6a"),
            ])
        }
    }

    @Test func reportRequestsCarryTheSignerAndOnBehalfOf() async throws {
        try await withClientAndServer { client, server in
            let report = try await client.report(documentID: sampleDocument, signer: .phone(countryCode: "+1", number: "5550100123"),
                                                 order: 2, onBehalfOf: "sender@example.com")
            #expect(report.document?.selfieFile == "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d")
            let logged = try #require(server.requestLog.last)
            #expect(logged.uri == "/v1/identityVerification/report?documentId=\(sampleDocument)")
            #expect(logged.body == #"{"countryCode":"+1","onBehalfOf":"sender@example.com","order":2,"phoneNumber":"5550100123"}"#)
        }
    }

    @Test func aMalformedReportIsADecodingErrorWithStatusAndSnippet() async throws {
        try await withClientAndServer { client, _ in
            let error = await expectError(.decodingFailed) {
                try await client.report(documentID: faultDocument, signer: .email("broken-report@example.com"), order: 2)
            }
            #expect(error?.status == 200)
            #expect(error?.description.contains(#"body starts: {"verificationResult": "Verified", "document": {"#) == true)
        }
    }

    @Test func nullsUnknownKeysAndMissingFieldsAreFine() throws {
        let body = #"""
            {"verificationResult": null, "verifiedDate": "2026-03-01T08:00:00.250+02:00", "newTopLevel": {"x": [1]},
             "error": {"code": "document_expired", "message": "The document has expired.", "extra": true},
             "document": {"type": null, "dob": {"day": null, "month": 7}, "documentFiles": ["a", "", "b"], "selfieFile": null, "extra": 1}}
            """#
        let report = try ResponseBodyDecoder.decode(Array(body.utf8), status: 200)
        #expect(report.verificationResult == nil)
        #expect(report.verifiedDate == Date(timeIntervalSince1970: 1_772_344_800.25))
        #expect(report.error == .init(code: "document_expired", message: "The document has expired."))
        #expect(report.document?.dob == .init(day: nil, month: 7, year: nil))
        #expect(report.imageFiles.map(\.fileID) == ["a", "b"])
        #expect(report.imageFiles.map(\.role.description) == ["document-1", "document-3"])
        #expect(try ResponseBodyDecoder.decode(Array("{}".utf8), status: 200) == IdentityVerificationReport())
    }

    @Test(arguments: ["", "null", "[]", "not json", #"{"document": {"documentFiles": "a"}}"#, #"{"verificationResult": 5}"#,
                      #"{"document": {"dob": {"day": "12"}}}"#])
    func wrongShapesAreDecodingErrors(body: String) {
        #expect {
            try ResponseBodyDecoder.decode(Array(body.utf8), status: 200)
        } throws: { ($0 as? BoldSignError)?.kind == .decodingFailed }
    }

    @Test(arguments: [
        ("2026-01-15T10:30:00Z", 1_768_473_000.0), ("2026-01-15T10:30:00", 1_768_473_000.0), ("2026-01-15t10:30:00.5z", 1_768_473_000.5),
        ("2026-01-15T12:30:00+02:00", 1_768_473_000.0), ("2026-01-15T05:00:00-05:30", 1_768_473_000.0), ("1970-01-01T00:00:00Z", 0.0),
    ])
    func iso8601TimestampsParse(text: String, seconds: Double) {
        #expect(ISO8601Timestamp.parse(text) == Date(timeIntervalSince1970: seconds))
    }

    @Test(arguments: ["", "2026-01-15", "2026-13-15T10:30:00Z", "2026-01-15T25:30:00Z", "2026-01-15T10:30:00+2", "2026-01-15T10:30:00.Z",
                      "2026-01-15T10:30:00Zjunk", "２０２６-01-15T10:30:00Z"])
    func badTimestampsAreNil(text: String) {
        #expect(ISO8601Timestamp.parse(text) == nil)
    }
}

/// Every image of a signer, with stable names, resumable.
@Suite struct DownloadAllImagesTests {
    @Test func writesEveryImageWithStableNamesAndASecondRunDownloadsNothing() async throws {
        try await withClientAndServer { client, server in
            let directory = try TemporaryDirectory()
            let saved = try await client.downloadAllImages(documentID: sampleDocument, signer: alex, to: FilePath(directory.path))
            #expect(saved.map { $0.path.lastComponent?.string } == ["document-1.jpg", "document-2.jpg", "selfie.png"])
            #expect(saved.allSatisfy { !$0.skipped })
            let files = MockFixtures.default.documents[0].signers[0].files
            for (image, file) in zip(saved, files) {
                #expect(image.bytes == file.size)
                #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: image.path.string))) == file.generator.bytes(in: 0..<file.size))
                let mode = try #require(try permissions(ofFile: image.path.string))
                #expect(mode & 0o777 == 0o600)
            }
            #expect(server.statistics.imageRequests == 3)

            let again = try await client.downloadAllImages(documentID: sampleDocument, signer: alex, to: FilePath(directory.path))
            #expect(again.allSatisfy { $0.skipped })
            #expect(again.map(\.path) == saved.map(\.path))
            #expect(server.statistics.imageRequests == 3)
            #expect(server.statistics.reportRequests == 2)
            #expect(directoryEntries(directory.path) == ["document-1.jpg", "document-2.jpg", "selfie.png"])
        }
    }

    @Test func anInterruptedRunResumesWithTheMissingImagesOnly() async throws {
        try await withClientAndServer { client, server in
            let directory = try TemporaryDirectory()
            let first = try await client.downloadAllImages(documentID: sampleDocument, signer: alex, to: FilePath(directory.path))
            try FileManager.default.removeItem(atPath: first[1].path.string)
            server.reset()
            let resumed = try await client.downloadAllImages(documentID: sampleDocument, signer: alex, to: FilePath(directory.path))
            #expect(resumed.map(\.skipped) == [true, false, true])
            #expect(server.statistics.imageRequests == 1)
        }
    }
}
