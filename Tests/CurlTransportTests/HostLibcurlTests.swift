import BoldSignMockServer
import CCurl
@testable import CurlTransport
import Foundation
import SystemPackage
import TestSupport
import Testing

/// A host process that uses libcurl itself — directly, or through another library — shares it with us:
/// we change nothing of libcurl's process-wide state beyond what `curl_global_init` requires.
@Suite struct HostLibcurlTests {
    /// A plain GET on the host's own easy handle, the way a host application makes one: its HTTP status.
    private static func hostRequest(_ url: String) -> (code: CURLcode, status: Int) {
        guard let easy = curl_easy_init() else { return (CURLE_FAILED_INIT, 0) }
        defer { curl_easy_cleanup(easy) }
        _ = ccurl_easy_setopt_string(easy, CURLOPT_URL, url)
        _ = ccurl_easy_setopt_long(easy, CURLOPT_NOSIGNAL, 1)
        _ = ccurl_easy_setopt_data_callback(easy, CURLOPT_WRITEFUNCTION) { _, size, count, _ in size &* count }
        let code = curl_easy_perform(easy)
        var status = 0
        _ = ccurl_easy_getinfo_long(easy, CURLINFO_RESPONSE_CODE, &status)
        return (code, status)
    }

    @Test func theHostsOwnHandlesWorkBeforeDuringAndAfterAClient() async throws {
        let server = try await MockServer.start(.init())
        let url = server.baseURL + "/no-such-path"
        #expect(Self.hostRequest(url) == (CURLE_OK, 404))

        let loop = try CurlEventLoop(maxConcurrentTransfers: 4)
        let request = TransferRequest(
            url: server.baseURL + "/v1/identityVerification/image?documentId=\(MockFixtures.largeDocumentID)",
            body: Array(#"{"emailId":"bulk@example.com","fileId":"image-1m"}"#.utf8),
            headers: ["X-API-KEY: test-api-key", "Content-Type: application/json"], options: TransferOptions())
        let devNull = try FileDescriptor.open("/dev/null", .writeOnly)
        defer { try? devNull.close() }
        let ours = Task { try await loop.perform(request, sink: devNull) }
        let during = try await onDedicatedThread { Self.hostRequest(url) }
        #expect(during == (CURLE_OK, 404))
        #expect(try await ours.value.status == 200)
        await loop.shutdown()

        // Our shutdown never calls curl_global_cleanup: the host's libcurl goes on as before.
        #expect(Self.hostRequest(url) == (CURLE_OK, 404))
        try await server.shutdown()
    }

    @Test func nothingInTheLibraryReplacesLibcurlsAllocatorOrCleansItUp() throws {
        let sources = TestPaths.packageRoot + "/Sources"
        let files = FileManager.default.enumerator(atPath: sources)?.compactMap { $0 as? String }.filter { $0.hasSuffix(".swift") } ?? []
        #expect(!files.isEmpty)
        for file in files {
            let text = try String(contentsOfFile: sources + "/" + file, encoding: .utf8)
            #expect(!text.contains("curl_global_init_mem("), "\(file)")
            #expect(!text.contains("curl_global_cleanup("), "\(file)")
        }
    }
}
