@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Proxies: an https:// base URL reaches an explicit proxy only as a tunnel, whose CONNECT carries no
/// credential; a plain http:// (loopback) base URL never goes through a proxy, which would receive the key
/// in clear text (a review found `http_proxy` doing exactly that).
@Suite struct ProxyTests {
    private let request = ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile)
    private let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + Array(repeating: 0x42, count: 4092)

    @Test func aLoopbackBaseURLNeverGoesThroughAProxy() async throws {
        let proxy = try ScriptedHTTPServer(respondingWith: .httpResponse(["HTTP/1.1 502 Bad Gateway", "Content-Length: 0"]))
        defer { proxy.stop() }
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(["HTTP/1.1 200 OK", "Content-Length: \(jpeg.count)"], body: jpeg))
        defer { server.stop() }
        var configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey("hostile-head-key-1"))
        configuration.retry = .none
        configuration.proxy = .url(proxy.baseURL)
        try await withBoldSignClient(configuration: configuration) { client in
            let download = try await downloadDiscardingBody(client, request)
            #expect(download.bytesWritten == Int64(jpeg.count))
        }
        #expect(proxy.requests.isEmpty, "the proxy must never see a plain-http request and its key")
        #expect(server.requests.count == 1)
    }

    @Test func anHTTPSBaseURLReachesAProxyOnlyAsATunnel() async throws {
        let proxy = try ScriptedHTTPServer(respondingWith: .httpResponse(["HTTP/1.1 403 Forbidden", "Content-Length: 0"]))
        defer { proxy.stop() }
        var configuration = Configuration(baseURL: "https://127.0.0.1:9", credentials: .apiKey("hostile-head-key-1"))
        configuration.retry = .none
        configuration.proxy = .url(proxy.baseURL)
        try await withBoldSignClient(configuration: configuration) { client in
            do {
                _ = try await downloadDiscardingBody(client, request)
                Issue.record("the proxy refused the tunnel; the download cannot have succeeded")
            } catch {
                #expect(error is BoldSignError)
            }
        }
        let seen = try #require(proxy.requests.first)
        #expect(seen.hasPrefix("CONNECT 127.0.0.1:9 HTTP/1.1"))
        #expect(!seen.contains("hostile-head-key-1"), "the key travels inside the tunnel, never to the proxy")
    }

    @Test func proxyNoneWorksDirectly() async throws {
        try await withClientAndServer(configure: { $0.proxy = .none }) { client, _ in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            #expect(try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd).bytesWritten == SampleImage.idCardFront.size)
        }
    }
}
