@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import Testing

@Suite struct EmbeddedVerificationTests {
    let failed = Signer.email("failed.check@example.com")

    @Test(arguments: TestTransport.selected) func aSignerWhoseVerificationFailedGetsALink(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport) { client, server in
            let url = try await client.createEmbeddedVerificationURL(
                EmbeddedVerificationRequest(documentID: sampleDocument, signer: failed, order: 3, redirectURL: "https://example.com/done"))
            #expect(url.scheme == "https" && url.host?.isEmpty == false)
            let sent = try #require(server.requestLog.last)
            #expect(sent.uri == "/v1/identityVerification/createEmbeddedVerificationUrl?documentId=\(sampleDocument)")
            #expect(sent.body == #"{"emailId":"failed.check@example.com","order":3,"redirectUrl":"https://example.com/done"}"#)
        }
    }

    @Test func aSignerWhoseVerificationDidNotFailIsABadRequest() async throws {
        try await withClientAndServer { client, _ in
            let error = await expectError(.badRequest) {
                try await client.createEmbeddedVerificationURL(EmbeddedVerificationRequest(documentID: sampleDocument, signer: alex))
            }
            #expect(error?.status == 400)
            await expectError(.forbidden) {
                try await client.createEmbeddedVerificationURL(EmbeddedVerificationRequest(documentID: sampleDocument, signer: .email("nobody@example.com")))
            }
        }
    }

    @Test(arguments: ["", "example.com/done", "ftp://example.com/x", "https://", "https://exa mple.com", "https://e.com/\u{7}"])
    func aBadRedirectURLIsRefusedBeforeAnythingIsSent(redirect: String) async throws {
        try await withClientAndServer { client, server in
            let error = await expectError(.invalidRequest) {
                try await client.createEmbeddedVerificationURL(
                    EmbeddedVerificationRequest(documentID: sampleDocument, signer: failed, order: 3, redirectURL: redirect))
            }
            #expect(error?.field == "redirectUrl")
            #expect(server.statistics.requests == 0)
        }
    }
}
