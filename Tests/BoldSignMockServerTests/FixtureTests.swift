import BoldSignMockServer
import Foundation
import Testing

@Suite struct FixtureTests {
    @Test func defaultFixturesAreValid() throws {
        try MockFixtures.default.validate()
    }

    @Test func decodesAFullFixturesFileWithDefaults() throws {
        let json = """
            {"credentials": {"apiKeys": ["k"]},
             "documents": [{"id": "11111111-2222-4333-8444-555555555555", "signers": [
               {"countryCode": "+44", "phoneNumber": "7700900123", "order": 3, "report": {"verificationResult": null, "extra": [1, true]},
                "files": [{"id": "f", "size": 10, "fault": {"closeAfterBytes": 5, "failFirst": {"count": 1, "response": {"status": 502}}}}]}]}]}
            """
        let fixtures = try MockFixtures.decode(Data(json.utf8))
        let signer = try #require(fixtures.documents.first?.signers.first)
        #expect(signer.order == 3)
        #expect(signer.report?["extra"] == .array([.number(1), .bool(true)]))
        #expect(signer.report?["verificationResult"] == .null)
        let file = try #require(signer.files.first)
        #expect(file.format == .jpeg && file.role == .document && file.seed == 1 && !file.chunked)
        #expect(file.fault?.failFirst?.response.status == 502)
        #expect(file.fault?.failFirst?.response.body == "")
    }

    @Test(arguments: [
        (#"{"documents": []}"#, "at least one API key"),
        (#"{"credentials": {"apiKeys": ["k"]}, "documents": [{"id": "nope", "signers": []}]}"#, "documents[0].id \"nope\" is not a UUID"),
        (#"{"credentials": {"apiKeys": ["k"]}, "documents": [{"id": "11111111-2222-4333-8444-555555555555", "signers": [{"order": 1}]}]}"#,
         "documents[0].signers[0] needs emailId"),
        (#"{"credentials": {"apiKeys": ["k"]}, "documents": [{"id": "11111111-2222-4333-8444-555555555555", "signers": [{"emailId": "a", "files": [{"id": "x"}]}]}]}"#,
         "missing key \"size\""),
        (#"{"credentials": {"apiKeys": ["k"]}, "documents": [{"id": "11111111-2222-4333-8444-555555555555", "signers": [{"emailId": "a", "files": [{"id": "x", "size": 1}, {"id": "x", "size": 2}]}]}]}"#,
         "appears twice"),
        ("{not json", "invalid fixtures"),
    ])
    func rejectsBadFixturesWithAMessageThatSaysWhere(json: String, expected: String) {
        #expect {
            try MockFixtures.decode(Data(json.utf8), source: "test.json")
        } throws: { error in
            let text = (error as? FixtureError)?.description ?? ""
            return text.contains(expected) && text.contains("test.json")
        }
    }
}
