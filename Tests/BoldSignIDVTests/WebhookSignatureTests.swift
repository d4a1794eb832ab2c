#if Webhooks
@testable import BoldSignIDV
import Foundation
import TestSupport
import Testing

/// Webhook signatures against vectors computed independently, with Python's `hmac`:
/// `hmac.new(secret, b"1765000000." + body, hashlib.sha256).hexdigest()`.
@Suite struct WebhookSignatureTests {
    static let body = Array(#"{"event":{"id":"7c3b0e6a-0b8f-4c1d-9b7e-2f1a6d5c4e3b","created":1765000000,"eventType":"IdentityVerificationSucceeded","environment":"Test"},"data":{"object":"identityVerification","documentId":"7d3e7a52-3c1b-4f4e-9a51-0b8f6c2a9e11","signerDetail":{"signerEmail":"alex.gayle@example.com","order":1}}}"#.utf8)
    static let t: Int64 = 1_765_000_000
    static let now = Date(timeIntervalSince1970: 1_765_000_000)
    static let current = "whsec-current-3f9a"
    static let previous = "whsec-previous-77c1"
    static let s0 = "26ea0436cac88febd9aa3c32c8921cca5eb0514ab7d98b789159bfb22e378bcb"
    static let s1 = "bcd892fb5062e8c7709f5d8b02dcf1df96ba36270aeac6b065200fcb16fa9e53"

    func refusal(_ verifier: WebhookVerifier, _ header: String?, body: [UInt8] = body, now: Date = now) -> WebhookError? {
        do {
            try verifier.verify(body: body, signatureHeader: header, now: now)
            return nil
        } catch {
            return error
        }
    }

    @Test func aSignatureMadeWithTheSecretIsAccepted() throws {
        let verifier = WebhookVerifier(secret: Self.current)
        #expect(refusal(verifier, "t=\(Self.t), s0=\(Self.s0)") == nil)
        #expect(refusal(verifier, "t=\(Self.t),s0=\(Self.s0.uppercased())") == nil)
        let event = try verifier.verifiedEvent(body: Self.body, signatureHeader: "t=\(Self.t), s0=\(Self.s0)", now: Self.now)
        #expect(event.eventType == .identityVerificationSucceeded && event.id == "7c3b0e6a-0b8f-4c1d-9b7e-2f1a6d5c4e3b")
        #expect(event.identityVerification == IdentityVerificationEvent(documentID: "7d3e7a52-3c1b-4f4e-9a51-0b8f6c2a9e11", signer: .email("alex.gayle@example.com"), order: 1))
    }

    @Test func ourSignatureHeaderIsPythonsHMAC() {
        #expect(WebhookVerifier.signatureHeader(for: Self.body, secret: Self.current, previousSecret: Self.previous, timestamp: Self.t)
            == "t=\(Self.t), s0=\(Self.s0), s1=\(Self.s1)")
    }

    @Test func duringARotationEitherSecretIsAccepted() {
        let rotating = WebhookVerifier(secret: Self.current, previousSecret: Self.previous)
        // BoldSign signs with both; a verifier that knows either accepts.
        #expect(refusal(rotating, "t=\(Self.t), s0=\(Self.s0), s1=\(Self.s1)") == nil)
        #expect(refusal(WebhookVerifier(secret: Self.current), "t=\(Self.t), s0=\(Self.s0), s1=\(Self.s1)") == nil)
        #expect(refusal(WebhookVerifier(secret: Self.previous), "t=\(Self.t), s0=\(Self.s0), s1=\(Self.s1)") == nil)
        // A call signed only with the previous secret: accepted while the verifier still knows it.
        #expect(refusal(rotating, "t=\(Self.t), s0=\(Self.s1)") == nil)
        #expect(refusal(WebhookVerifier(secret: Self.current), "t=\(Self.t), s0=\(Self.s1)")?.kind == .signatureMismatch)
    }

    @Test func aWrongSecretOrAChangedBodyIsAMismatch() {
        let verifier = WebhookVerifier(secret: Self.current)
        #expect(refusal(WebhookVerifier(secret: "whsec-other"), "t=\(Self.t), s0=\(Self.s0)")?.kind == .signatureMismatch)
        var changed = Self.body
        changed[changed.count - 3] = UInt8(ascii: "2")
        #expect(refusal(verifier, "t=\(Self.t), s0=\(Self.s0)", body: changed)?.kind == .signatureMismatch)
        // The timestamp is signed too: the same signature under another t does not verify.
        #expect(refusal(verifier, "t=\(Self.t + 1), s0=\(Self.s0)", now: Self.now)?.kind == .signatureMismatch)
        let mismatch = refusal(verifier, "t=\(Self.t), s0=\(String(repeating: "0", count: 64))")
        #expect(mismatch?.kind == .signatureMismatch && mismatch?.httpStatus == 401)
        #expect(mismatch.map { !"\($0)".contains(Self.current) && !"\($0)".contains("alex") } == true)
    }

    @Test(arguments: [(-300, true), (-301, false), (300, true), (301, false), (0, true)])
    func theToleranceIsThreeHundredSecondsEitherWay(offset: Int, accepted: Bool) {
        let verifier = WebhookVerifier(secret: Self.current)
        let now = Date(timeIntervalSince1970: Double(Self.t) - Double(offset))
        let error = refusal(verifier, "t=\(Self.t), s0=\(Self.s0)", now: now)
        #expect(accepted ? error == nil : error?.kind == .stale, "offset \(offset): \(String(describing: error))")
        if !accepted { #expect(error?.httpStatus == 401) }
    }

    @Test(arguments: [
        nil, "", "s0=\(s0)", "t=\(t)", "t=\(t), s0=abc", "t=\(t), s0=\(s0.dropLast())g", "t=abc, s0=\(s0)", "t=-1, s0=\(s0)",
        "t=\(t), t=\(t), s0=\(s0)", "t=\(t), s0=\(s0), s0=\(s0)", "t=\(t) s0=\(s0)", "t=\(t), s0=\(s0)\(String(repeating: ",x=y", count: 300))",
        "t=99999999999999999999, s0=\(s0)", "t=\(t), s0=\(s0)00",
    ] as [String?])
    func aMalformedHeaderIsRefusedAsSuch(header: String?) {
        let error = refusal(WebhookVerifier(secret: Self.current), header)
        #expect(error?.kind == .malformedSignature, "\(String(describing: header)): \(String(describing: error))")
        #expect(error?.httpStatus == 400)
    }

    @Test func unknownSchemesInTheHeaderAreIgnored() {
        #expect(refusal(WebhookVerifier(secret: Self.current), "t=\(Self.t), v9=zz, s0=\(Self.s0)") == nil)
    }

    /// Random bodies and secrets, signed by Python's `hmac` in a child process and checked here.
    @Test func randomVectorsSignedByPythonVerify() async throws {
        var lines: [String] = []
        var cases: [(secret: String, body: [UInt8], t: Int64)] = []
        for index in 0..<20 {
            let secret = "secret-\(index)-" + String(UInt64.random(in: 0...UInt64.max), radix: 36)
            let body = (0..<Int.random(in: 0...300)).map { _ in UInt8.random(in: 0...255) }
            let t = Int64.random(in: 1_000_000_000...4_000_000_000)
            cases.append((secret, body, t))
            lines.append("\(secret) \(Data(body).base64EncodedString()) \(t)")
        }
        let script = """
            import base64, hashlib, hmac, sys
            for line in sys.stdin.read().split("\\n"):
                if not line: continue
                secret, body, t = line.split(" ")
                print(hmac.new(secret.encode(), t.encode() + b"." + base64.b64decode(body), hashlib.sha256).hexdigest())
            """
        let python = try await ChildProcess.run("/usr/bin/env", ["python3", "-c", script], stdin: lines.joined(separator: "\n") + "\n")
        #expect(python.status == 0, "\(python.stderr)")
        let digests = python.text.split(separator: "\n").map(String.init)
        try #require(digests.count == cases.count)
        for (item, digest) in zip(cases, digests) {
            let verifier = WebhookVerifier(secret: item.secret)
            #expect(refusal(verifier, "t=\(item.t), s0=\(digest)", body: item.body, now: Date(timeIntervalSince1970: Double(item.t))) == nil)
            #expect(WebhookVerifier.signatureHeader(for: item.body, secret: item.secret, timestamp: item.t) == "t=\(item.t), s0=\(digest)")
        }
    }

    @Test func theVerifiersDescriptionShowsNoSecret() {
        #expect(!"\(WebhookVerifier(secret: Self.current, previousSecret: Self.previous))".contains("whsec"))
    }
}
#endif
