import BoldSignMockServer
import Foundation
import TestSupport
import Testing

/// Memory does not grow with the image: the same CLI process downloading 1 MiB and 1 GiB.
@Suite(.serialized) struct MemoryTests {
    @Test func peakRSSOfAGibibyteDownloadIsWithin8MiBOfAMebibyteDownload() async throws {
        let server = try await MockServer.start(.init())
        defer { Task { try await server.shutdown() } }
        let directory = try TemporaryDirectory()
        let environment = ["BOLDSIGN_API_KEY": MockFixtures.defaultAPIKey, "PATH": "/usr/bin:/bin"]
        func download(_ fileID: String) async throws -> PeakMemory.Sampled {
            let sample = try await PeakMemory.runSampling(TestPaths.product("boldsign-idv"), [
                "image", "--base-url", server.baseURL, "--document-id", largeDocument, "--email", "bulk@example.com",
                "--file-id", fileID, "--output", directory.path + "/" + fileID,
            ], environment: environment)
            #expect(sample.status == 0)
            return sample
        }
        let small = try await download("image-1m")
        let large = try await download("image-1g")
        #expect(try await ChildProcess.sha256(ofFile: directory.path + "/image-1g") == MockFixtures.defaultSHA256["image-1g"])
        let figures = "1 MiB: \(small), 1 GiB: \(large)"
        // Anonymous memory is what would grow with the body; the file-backed part is shared-library pages.
        #expect(large.peakAnonymous - small.peakAnonymous < 8 << 20, "\(figures)")
        #expect(large.peakRSS - small.peakRSS < 8 << 20, "\(figures)")
    }
}
