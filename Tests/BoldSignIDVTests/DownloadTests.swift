@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Image downloads into descriptors and paths, bytes verified against the server's published hashes.
@Suite struct DownloadTests {
    @Test(arguments: TestTransport.selected) func smallImageIntoADescriptorHasTheExactBytesAndMetadata(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport) { client, _ in
            let directory = try TemporaryDirectory()
            let path = directory.path + "/front.jpg"
            let fd = try openForWriting(path)
            let result = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
            try fd.close()
            #expect(result.status == 200)
            #expect(result.bytesWritten == SampleImage.idCardFront.size)
            #expect(result.contentType == "image/jpeg")
            #expect(result.format == .jpeg)
            #expect(result.rateLimit?.limit == 2000 && result.rateLimit?.remaining == 1999)
            #expect(result.rateLimit?.resetAt.map { $0 > Date() } == true)
            #expect(result.timing.total > .zero)
            let file = try #require(MockFixtures.default.documents[0].signers[0].files.first)
            #expect([UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) == file.generator.bytes(in: 0..<file.size))
        }
    }

    /// 1 MiB (with and without a length announced) and 64 MiB over plain HTTP/1.1; over TLS, where the
    /// debug-built mock's encryption dominates, 1 MiB on both protocols and 64 MiB on HTTP/2, enough to cross
    /// its flow-control windows many times. A 1 GiB image is `MemoryTests`' (through the CLI, hashed): here it
    /// wrote 2 GiB more to disk, over half of the whole suite's writes, for no path the 64 MiB case misses.
    static let largeImageCases: [(TestTransport, String)] = (
        ["image-1m", "image-64m", "image-1m-chunked"].map { (TestTransport.http1, $0) }
        + [TestTransport.tlsHTTP1, .tlsHTTP2].flatMap { transport in ["image-1m", "image-1m-chunked"].map { (transport, $0) } }
        + [(.tlsHTTP2, "image-64m")]
    ).filter { TestTransport.selected.contains($0.0) }

    @Test(arguments: largeImageCases)
    func largeImagesIntoADescriptorAndAPathAreExact(over transport: TestTransport, fileID: String) async throws {
        try await withClientAndServer(over: transport) { client, _ in
            let directory = try TemporaryDirectory()
            let request = ImageRequest(documentID: largeDocument, signer: bulk, fileID: fileID)
            let fdPath = directory.path + "/fd.bin"
            let fd = try openForWriting(fdPath)
            let intoFD = try await client.downloadImage(request, into: fd)
            try fd.close()
            #expect(try await ChildProcess.sha256(ofFile: fdPath) == MockFixtures.defaultSHA256[fileID])
            try FileManager.default.removeItem(atPath: fdPath)

            let destination = directory.path + "/image"
            let toPath = try await client.downloadImage(request, to: FilePath(destination))
            #expect(toPath.bytesWritten == intoFD.bytesWritten)
            #expect(toPath.path == FilePath(destination))
            #expect(try await ChildProcess.sha256(ofFile: destination) == MockFixtures.defaultSHA256[fileID])
            let mode = try #require(try permissions(ofFile: destination))
            #expect(mode & 0o777 == 0o600)
            #expect(directoryEntries(directory.path) == ["image"])
        }
    }

    @Test(arguments: TestTransport.selected) func phoneSignerOnBehalfOfASenderDownloadsWithABearerToken(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, configure: { $0.credentials = .bearerToken(MockFixtures.defaultBearerToken) }) { client, _ in
            let request = ImageRequest(documentID: sampleDocument, signer: .phone(countryCode: "+1", number: "5550100123"), order: 2,
                                       fileID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", onBehalfOf: "sender@example.com")
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            let result = try await client.downloadImage(request, into: fd)
            #expect(result.bytesWritten == SampleImage.selfie.size)
        }
    }

    @Test(arguments: TestTransport.selected) func theRequestOnTheWireIsWhatBoldSignExpects(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
            _ = try? await client.downloadImage(ImageRequest(documentID: sampleDocument.uppercased(), signer: .phone(countryCode: "+1", number: "555 0100"),
                                                             order: 3, fileID: "a&b=c d", onBehalfOf: nil), into: fd)
            let log = server.requestLog
            #expect(log.count == 2)
            let first = try #require(log.first)
            #expect(first.method == "POST")
            #expect(first.uri == "/v1/identityVerification/image?documentId=\(sampleDocument)")
            #expect(first.body == #"{"emailId":"alex.gayle@example.com","fileId":"\#(frontFile)","order":1}"#)
            #expect(first.header("content-type") == "application/json")
            #expect(first.authScheme == "apiKey" && first.authenticated)
            #expect(first.header("expect") == nil)
            #expect(first.header("user-agent")?.hasPrefix("boldsign-idv-swift/") == true)
            let second = try #require(log.last)
            #expect(second.uri == "/v1/identityVerification/image?documentId=\(sampleDocument.uppercased())")
            #expect(second.body == #"{"countryCode":"+1","fileId":"a&b=c d","order":3,"phoneNumber":"555 0100"}"#)
        }
    }

    @Test(arguments: TestTransport.selected) func twoHundredSequentialDownloadsReuseAHandfulOfConnections(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport) { client, server in
            let fd = try FileDescriptor.open("/dev/null", .writeOnly)
            defer { try? fd.close() }
            var reused = 0
            for _ in 0..<200 {
                let result = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile), into: fd)
                if result.reusedConnection { reused += 1 }
            }
            #expect(server.statistics.imagesServed == 200)
            #expect(server.statistics.connections <= 3, "connections: \(server.statistics.connections)")
            #expect(reused >= 197)
        }
    }

    @Test(arguments: TestTransport.selected) func concurrentDownloadsThroughOneClientAllComplete(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, configure: { $0.maxConcurrentTransfers = 4 }) { client, server in
            let directory = try TemporaryDirectory()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        let request = ImageRequest(documentID: largeDocument, signer: bulk, fileID: index % 2 == 0 ? "image-1m" : "image-1m-chunked")
                        _ = try await client.downloadImage(request, to: FilePath(directory.path + "/\(index)"))
                    }
                }
                try await group.waitForAll()
            }
            for index in 0..<24 {
                #expect(try await ChildProcess.sha256(ofFile: directory.path + "/\(index)")
                        == MockFixtures.defaultSHA256[index % 2 == 0 ? "image-1m" : "image-1m-chunked"])
            }
            #expect(server.statistics.connections <= 4)
        }
    }

    @Test(arguments: TestTransport.selected) func aSlowResponseHoldsBackNoOtherDownload(over transport: TestTransport) async throws {
        // Over plain HTTP/1.1, libcurl's PIPEWAIT made every transfer wait for the first response on a new
        // connection (to learn that it does not multiplex): here, one that comes after a minute.
        var fixtures = MockFixtures.default
        fixtures.documents[2].signers[0].files.append(.init(id: "minute-late", size: 4096, seed: 9, fault: .init(latencyMilliseconds: 60_000)))
        try await withClientAndServer(over: transport, server: .init(fixtures: fixtures), configure: { $0.maxConcurrentTransfers = 4 }) { client, _ in
            let slow = Task { try await downloadDiscardingBody(client, ImageRequest(documentID: faultDocument, signer: faults, fileID: "minute-late")) }
            // Started after the slow one has had time to open its connection.
            try await Task.sleep(for: .milliseconds(100))
            let started = ContinuousClock.now
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<3 {
                    group.addTask { try await downloadDiscardingBody(client, ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile)) }
                }
                try await group.waitForAll()
            }
            // Held back, they would have waited the minute; the bound leaves room for a machine busy with the suite.
            #expect(ContinuousClock.now - started < .seconds(45))
            slow.cancel()
            guard case .failure(let error) = await slow.result else { Issue.record("the slow download finished first"); return }
            #expect((error as? BoldSignError)?.kind == .cancelled, "\(error)")
        }
    }

    @Test(arguments: Configuration.Durability.allCases) func bothDurabilitiesDeliverTheExactImageOwnerOnly(durability: Configuration.Durability) async throws {
        try await withClientAndServer(configure: { $0.durability = durability }) { client, _ in
            let directory = try TemporaryDirectory()
            let path = directory.path + "/out.jpg"
            let download = try await client.downloadImage(ImageRequest(documentID: largeDocument, signer: bulk, fileID: "image-1m"), to: FilePath(path))
            #expect(download.bytesWritten == 1 << 20)
            #expect(try await ChildProcess.sha256(ofFile: path) == MockFixtures.defaultSHA256["image-1m"])
            #expect(try permissions(ofFile: path) == 0o600)
            #expect(directoryEntries(directory.path) == ["out.jpg"])
        }
    }

    @Test(arguments: TestTransport.selected, [Configuration.Buffers(receiveBytes: 1024, writeBytes: 0), .init(receiveBytes: 16 * 1024, writeBytes: 5000), .lowMemory])
    func everyBufferSettingWritesTheSameBytes(over transport: TestTransport, buffers: Configuration.Buffers) async throws {
        try await withClientAndServer(over: transport, configure: { $0.buffers = buffers }) { client, _ in
            let directory = try TemporaryDirectory()
            let path = directory.path + "/out"
            _ = try await client.downloadImage(ImageRequest(documentID: largeDocument, signer: bulk, fileID: "image-1m"), to: FilePath(path))
            #expect(try await ChildProcess.sha256(ofFile: path) == MockFixtures.defaultSHA256["image-1m"])
        }
    }
}
