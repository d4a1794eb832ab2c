#if Webhooks
@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import NIOHTTP1
import Synchronization
import SystemPackage
import TestSupport
import Testing

/// The daemon's whole flow, here: the mock sends a signed identity-verification webhook, the receiver
/// verifies it and downloads the signer's images with the library.
@Suite struct WebhookFlowTests {
    static let secret = "whsec-flow-5d1e"

    /// A receiver as a daemon would write it: verify, then fetch every image of the signer into `directory`.
    func receiver(_ client: BoldSignClient, verifier: WebhookVerifier, into directory: String,
                  calls: Counter = Counter()) async throws -> WebhookReceiver {
        try await WebhookReceiver.start { headers, body in
            calls.increment()
            do {
                let event = try verifier.verifiedEvent(body: body, signatureHeader: headers.first(name: "X-BoldSign-Signature"))
                guard event.eventType.endsIdentityVerification, let verification = event.identityVerification else { return 200 }
                _ = try await client.downloadAllImages(documentID: verification.documentID, signer: verification.signer,
                                                       order: verification.order, to: FilePath(directory))
                return 200
            } catch let error as WebhookError {
                return error.httpStatus
            } catch {
                return 500
            }
        }
    }

    @Test func aSignedWebhookFromTheMockEndsWithTheSignersImagesOnDisk() async throws {
        let directory = try TemporaryDirectory()
        try await withClientAndServer { client, server in
            let receiver = try await receiver(client, verifier: WebhookVerifier(secret: Self.secret), into: directory.path)
            defer { Task { await receiver.stop() } }
            let delivered = try await server.sendWebhook(WebhookDelivery(
                url: receiver.url, secret: Self.secret, eventType: "IdentityVerificationSucceeded",
                documentId: sampleDocument, emailId: "alex.gayle@example.com", order: 1))
            #expect(delivered.status == 200, "\(delivered)")
            let expected: [String: SampleImage] = ["document-1.jpg": .idCardFront, "document-2.jpg": .idCardBack, "selfie.png": .selfie]
            #expect(Set(directoryEntries(directory.path)) == Set(expected.keys))
            for (name, image) in expected {
                let path = directory.path + "/" + name
                #expect(FileManager.default.contents(atPath: path) == Data(image.bytes), "\(name)")
                #expect(try FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int == 0o600, "\(name)")
            }
        }
    }

    @Test func aPhoneSignersFailedVerificationIsFetchedByPhone() async throws {
        let directory = try TemporaryDirectory()
        try await withClientAndServer { client, server in
            let receiver = try await WebhookReceiver.start { headers, body in
                do {
                    let event = try WebhookVerifier(secret: Self.secret).verifiedEvent(body: body, signatureHeader: headers.first(name: "X-BoldSign-Signature"))
                    guard let verification = event.identityVerification else { return 422 }
                    _ = try await client.downloadAllImages(documentID: verification.documentID, signer: verification.signer,
                                                           order: verification.order, onBehalfOf: "sender@example.com", to: FilePath(directory.path))
                    return 200
                } catch {
                    return 500
                }
            }
            defer { Task { await receiver.stop() } }
            let delivered = try await server.sendWebhook(WebhookDelivery(
                url: receiver.url, secret: Self.secret, eventType: "IdentityVerificationFailed",
                documentId: sampleDocument, countryCode: "+1", phoneNumber: "5550100123", order: 2))
            #expect(delivered.status == 200)
            #expect(Set(directoryEntries(directory.path)) == ["document-1.jpg", "selfie.png"])
        }
    }

    @Test func badStaleAndRotatedSignaturesBehaveAsBoldSignsHelpers() async throws {
        let directory = try TemporaryDirectory()
        try await withClientAndServer { client, server in
            let previous = "whsec-flow-old"
            let receiver = try await receiver(client, verifier: WebhookVerifier(secret: Self.secret, previousSecret: previous), into: directory.path)
            defer { Task { await receiver.stop() } }
            func send(secret: String = Self.secret, previousSecret: String? = nil, signedAt: Int64? = nil, override: String? = nil) async throws -> Int {
                try await server.sendWebhook(WebhookDelivery(
                    url: receiver.url, secret: secret, previousSecret: previousSecret, eventType: "IdentityVerificationSucceeded",
                    documentId: sampleDocument, emailId: "alex.gayle@example.com", order: 1, signedAt: signedAt, signatureOverride: override)).status
            }
            let now = Int64(Date().timeIntervalSince1970)
            #expect(try await send(secret: "whsec-someone-else") == 401)
            #expect(try await send(signedAt: now - 600) == 401)
            #expect(try await send(signedAt: now + 600) == 401)
            #expect(try await send(override: "t=\(now)") == 400)
            #expect(try await send(override: "") == 400)
            #expect(directoryEntries(directory.path).isEmpty, "a refused webhook must change nothing")
            #expect(server.statistics.requests == 0, "a refused webhook must cost no API request")
            // Mid-rotation BoldSign signs with a secret the receiver knows as previous (s1), or with both.
            #expect(try await send(secret: "whsec-newer", previousSecret: Self.secret) == 200)
            #expect(try await send(secret: previous) == 200)
            #expect(directoryEntries(directory.path).count == 3)
        }
    }

    @Test func theAdminEndpointSendsAWebhookForScriptsAndOtherLanguages() async throws {
        let directory = try TemporaryDirectory()
        try await withClientAndServer { client, server in
            let calls = Counter()
            let receiver = try await receiver(client, verifier: WebhookVerifier(secret: Self.secret), into: directory.path, calls: calls)
            defer { Task { await receiver.stop() } }
            let curl = CurlCLI(baseURL: server.baseURL)
            let sent = try await curl.post("/__admin/webhooks", json: """
                {"url": "\(receiver.url)", "secret": "\(Self.secret)", "eventType": "IdentityVerificationSucceeded",
                 "eventId": "evt-1", "documentId": "\(sampleDocument)", "emailId": "alex.gayle@example.com", "order": 1}
                """, headers: [])
            #expect(sent.status == 200 && sent.json?["status"] as? Int == 200 && sent.json?["eventId"] as? String == "evt-1", "\(sent.text)")
            #expect(directoryEntries(directory.path).count == 3 && calls.value == 1)
            let bad = try await curl.post("/__admin/webhooks", json: #"{"url": 1}"#, headers: [])
            #expect(bad.status == 400)
            let unreachable = try await curl.post("/__admin/webhooks", json: """
                {"url": "http://127.0.0.1:1/x", "secret": "s", "eventType": "Verification"}
                """, headers: [])
            #expect(unreachable.status == 502)
        }
    }
}

/// A thread-safe count.
final class Counter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
#endif
