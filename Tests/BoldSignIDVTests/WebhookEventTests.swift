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

    /// BoldSign's published sample event: `data.object` "document" and a `signerDetails` list.
    static func documentShape(actor: String?, signers: [String]) -> String {
        let actorJSON = actor.map { #","context":{"eventType":"IdentityVerificationSucceeded","actor":{"userType":"Signer","id":"\#($0)"}}"# } ?? ""
        return #"{"event":{"id":"e2","created":1765000000,"eventType":"IdentityVerificationSucceeded","environment":"Test"}\#(actorJSON),"#
            + #""data":{"object":"document","documentId":"26b8695f-46d0-4cd4-ba1a-c5a0d595c849","status":"InProgress","#
            + #""senderDetail":{"name":"Sender","emailAddress":"sender@email.com"},"signerDetails":[\#(signers.joined(separator: ","))]}}"#
    }

    static func signer(_ id: String, _ email: String, order: Int, verifies: Bool) -> String {
        #"{"signerName":"s","signerEmail":"\#(email)","id":"\#(id)","status":"NotCompleted","order":\#(order),"isViewed":false"#
            + (verifies ? #","idVerification":{"type":"EveryAccess","maximumRetryCount":10,"requireLiveCapture":true}}"# : #","idVerification":null}"#)
    }

    @Test func theDocumentEventShapeWithOneSignerNamesThatSigner() throws {
        let event = try decode(Self.documentShape(actor: nil, signers: [Self.signer("s1", "signer@email.com", order: 1, verifies: true)]))
        #expect(event.identityVerification == IdentityVerificationEvent(
            documentID: "26b8695f-46d0-4cd4-ba1a-c5a0d595c849", signer: .email("signer@email.com"), order: 1, status: "InProgress"))
    }

    @Test func withSeveralSignersTheActorThenTheOnlyVerifyingSignerIsChosen() throws {
        let signers = [Self.signer("s1", "one@email.com", order: 1, verifies: true), Self.signer("s2", "two@email.com", order: 2, verifies: true),
                       Self.signer("s3", "three@email.com", order: 3, verifies: false)]
        let byActor = try decode(Self.documentShape(actor: "s2", signers: signers))
        #expect(byActor.identityVerification?.signer == .email("two@email.com") && byActor.identityVerification?.order == 2)
        let onlyVerifying = try decode(Self.documentShape(actor: "sender-id", signers: [signers[0], signers[2]]))
        #expect(onlyVerifying.identityVerification?.signer == .email("one@email.com"))
        do {
            _ = try decode(Self.documentShape(actor: nil, signers: signers))
            Issue.record("two verifying signers and no actor leave the signer open")
        } catch {
            #expect(error.kind == .malformedBody && error.detail.contains("3 signers"))
        }
    }

    @Test(arguments: [
        IdentityVerificationEvent(documentID: "..", signer: .email("a@example.com"), order: 1),
        IdentityVerificationEvent(documentID: "../../etc", signer: .email("a@example.com"), order: 1),
        IdentityVerificationEvent(documentID: "26b8695f-46d0-4cd4-ba1a-c5a0d595c849", signer: .email("a@example.com\r\nX: y"), order: 1),
        IdentityVerificationEvent(documentID: "26b8695f-46d0-4cd4-ba1a-c5a0d595c849", signer: .email("nobody"), order: 1),
        IdentityVerificationEvent(documentID: "26b8695f-46d0-4cd4-ba1a-c5a0d595c849", signer: .email("a@example.com"), order: 0),
        IdentityVerificationEvent(documentID: "26b8695f-46d0-4cd4-ba1a-c5a0d595c849", signer: .phone(countryCode: "+1", number: "555\u{0}1"), order: 1),
    ])
    func anEventWithABadFieldDoesNotValidate(_ event: IdentityVerificationEvent) {
        #expect(throws: BoldSignError.self) { try event.validate() }
    }
}
