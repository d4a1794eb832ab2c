@testable import BoldSignIDV
import Testing

@Suite struct WebhookEventTests {
    func decode(_ json: String) throws(WebhookError) -> WebhookEvent {
        try WebhookEvent(decoding: Array(json.utf8))
    }

    @Test func aPhoneSignersEventSelectsTheSignerByPhone() throws {
        let event = try decode("""
            {"event":{"id":"e1","created":1765000000,"eventType":"IdentityVerificationFailed","clientId":null,"environment":"Live"},
             "context":{},"data":{"object":"identityVerification","documentId":"d1","status":"InProgress","messageTitle":"t",
             "senderDetail":{"name":"S","emailAddress":"s@example.com"},
             "signerDetail":{"signerName":"P","signerEmail":null,"phoneNumber":{"countryCode":"+1","number":"5550100123"},"order":2,
                             "idVerification":{"status":"Failed"},"unknown":[1,2]}}}
            """)
        #expect(event.eventType == .identityVerificationFailed && event.eventType.endsIdentityVerification)
        #expect(event.environment == "Live" && event.created == 1_765_000_000)
        #expect(event.identityVerification == IdentityVerificationEvent(
            documentID: "d1", signer: .phone(countryCode: "+1", number: "5550100123"), order: 2, status: "InProgress"))
    }

    @Test func theRegistrationPingHasNoSigner() throws {
        let event = try decode(#"{"event":{"id":"p","created":1,"eventType":"Verification"}}"#)
        #expect(event.eventType == .verification && event.identityVerification == nil && !event.eventType.isIdentityVerification)
    }

    @Test func otherEventsDecodeWithoutAnIdentityVerification() throws {
        let event = try decode(#"{"event":{"id":"x","created":1,"eventType":"Completed"},"data":{"object":"document","documentId":"d"}}"#)
        #expect(event.eventType.rawValue == "Completed" && event.identityVerification == nil)
    }

    @Test(arguments: [
        "", "not json", "[]", #"{"data":{}}"#, #"{"event":{"id":"x","eventType":"Verification"}}"#,
        #"{"event":{"id":"x","created":"yesterday","eventType":"Verification"}}"#,
        #"{"event":{"id":"x","created":1,"eventType":"IdentityVerificationSucceeded"},"data":{"object":"identityVerification","signerDetail":{"signerEmail":"a@b.c"}}}"#,
        #"{"event":{"id":"x","created":1,"eventType":"IdentityVerificationSucceeded"},"data":{"object":"identityVerification","documentId":"d","signerDetail":{"order":1}}}"#,
    ])
    func aBodyThatIsNoWebhookIsRefused(json: String) {
        #expect(throws: WebhookError.self) { try decode(json) }
        do {
            _ = try decode(json)
        } catch {
            #expect(error.kind == .malformedBody && error.httpStatus == 400)
            #expect(!error.detail.contains("a@b.c"))
        }
    }
}
