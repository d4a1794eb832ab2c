@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// An explicit proxy carries the request: a second mock stands in for the proxy and sees the
/// absolute-form request line a client sends to an HTTP proxy.
@Suite struct ProxyTests {
    @Test func anExplicitProxyReceivesTheRequest() async throws {
        let proxy = try await MockServer.start(.init())
        defer { Task { try await proxy.shutdown() } }
        var configuration = Configuration(baseURL: "http://127.0.0.1:9", credentials: .apiKey(MockFixtures.defaultAPIKey))
        configuration.proxy = .url(proxy.baseURL)
        configuration.retry = .none
        try await withBoldSignClient(configuration: configuration) { client in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            // The mock is no proxy: it answers the absolute-form target with 404, which proves the request went through it.
            await expectError(.notFound) {
                try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
            }
        }
        let logged = try #require(proxy.requestLog.first)
        #expect(logged.uri == "http://127.0.0.1:9/v1/identityVerification/image?documentId=\(sampleDocument)")
    }

    @Test func proxyNoneWorksDirectly() async throws {
        try await withClientAndServer(configure: { $0.proxy = .none }) { client, _ in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            #expect(try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd).bytesWritten == SampleImage.idCardFront.size)
        }
    }
}
