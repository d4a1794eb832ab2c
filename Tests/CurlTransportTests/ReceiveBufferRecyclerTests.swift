@testable import CurlTransport
import BoldSignMockServer
import SystemPackage
import Testing

/// The memory functions libcurl is initialised with. Each test but the last uses its own recycler,
/// so transfers running beside it cannot take or fill the slot it looks at.
@Suite struct ReceiveBufferRecyclerTests {
    /// libcurl's default receive buffer in this package, with its terminating byte.
    private let receiveBuffer = 512 * 1024 + 1

    @Test func aFreedReceiveBufferServesTheNextAllocationOfItsSize() throws {
        let recycler = ReceiveBufferRecycler()
        let first = try #require(recycler.allocate(receiveBuffer))
        first.storeBytes(of: 0xAB, as: UInt8.self)
        recycler.deallocate(first)
        #expect(recycler.keepsABlock)
        let second = try #require(recycler.allocate(receiveBuffer))
        #expect(second == first)
        #expect(recycler.reuseCount == 1)
        #expect(!recycler.keepsABlock)
        recycler.deallocate(second)
    }

    @Test func smallBlocksGoStraightBackToTheAllocator() throws {
        let recycler = ReceiveBufferRecycler()
        let small = try #require(recycler.allocate(64 * 1024))
        recycler.deallocate(small)
        #expect(!recycler.keepsABlock)
        let name = try #require(recycler.duplicate("bulk@example.com"))
        #expect(String(cString: name) == "bulk@example.com")
        recycler.deallocate(name)
        #expect(!recycler.keepsABlock)
    }

    /// A kept block is never handed out for a request it would serve at less than half its size:
    /// a 10 MiB buffer must not stay resident to serve 128 KiB ones.
    @Test func aKeptBlockMuchLargerThanTheRequestIsFreedInstead() throws {
        let recycler = ReceiveBufferRecycler()
        let large = try #require(recycler.allocate(ReceiveBufferRecycler.largestRecycled))
        recycler.deallocate(large)
        #expect(recycler.keepsABlock)
        let small = try #require(recycler.allocate(ReceiveBufferRecycler.smallestRecycled))
        #expect(recycler.reuseCount == 0)
        #expect(!recycler.keepsABlock)
        recycler.deallocate(small)
        #expect(recycler.keepsABlock)
        recycler.releaseKeptBlock()
        #expect(!recycler.keepsABlock)
    }

    @Test func oneBlockIsKeptAndTheOthersAreFreed() throws {
        let recycler = ReceiveBufferRecycler()
        let blocks = try (0..<3).map { _ in try #require(recycler.allocate(receiveBuffer)) }
        for block in blocks { recycler.deallocate(block) }
        let reused = try #require(recycler.allocate(receiveBuffer))
        #expect(reused == blocks[0])
        #expect(!recycler.keepsABlock)
        recycler.deallocate(reused)
    }

    /// The wiring: libcurl allocates through the shared recycler, and a client's next transfer gets
    /// the buffer the last one freed. The count is process-wide, so other tests' transfers can only
    /// add to it; it stays still only when libcurl's memory does not come through here.
    @Test func libcurlsReceiveBufferIsReusedByTheNextTransfer() async throws {
        let server = try await MockServer.start(.init())
        let loop = try CurlEventLoop(maxConcurrentTransfers: 1)
        let sink = try FileDescriptor.open("/dev/null", .writeOnly)
        let before = ReceiveBufferRecycler.shared.reuseCount
        for _ in 0..<5 {
            let request = TransferRequest(
                url: server.baseURL + "/v1/identityVerification/image?documentId=\(MockFixtures.largeDocumentID)",
                body: Array(#"{"emailId":"bulk@example.com","fileId":"image-1m"}"#.utf8),
                headers: ["X-API-KEY: test-api-key", "Content-Type: application/json"], options: TransferOptions())
            let result = try await loop.perform(request, sink: sink)
            #expect(result.bytesWritten == 1 << 20)
        }
        #expect(ReceiveBufferRecycler.shared.reuseCount > before)
        try sink.close()
        await loop.shutdown()
        try await server.shutdown()
    }
}
