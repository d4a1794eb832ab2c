@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// A descriptor whose reader does not read holds only its own transfer: every other download of the
/// client, a cancel and a shutdown go on as if it were not there.
@Suite struct SlowConsumerTests {
    /// A pipe whose read end stays open and unread: it takes 64 KiB, then nothing.
    private struct UnreadPipe {
        let pipe: (readEnd: FileDescriptor, writeEnd: FileDescriptor)

        init() throws { pipe = try FileDescriptor.pipe() }

        func close() {
            try? pipe.readEnd.close()
            try? pipe.writeEnd.close()
        }
    }

    private static let stuckRequest = ImageRequest(documentID: largeDocument, signer: bulk, fileID: "image-1m")

    @Test(arguments: TestTransport.selected) func anUnreadPipeHoldsOnlyItsOwnTransferAndCancelEndsItAtOnce(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport, configure: { $0.maxConcurrentTransfers = 8; $0.retry = .none }) { client, server in
            let unread = try UnreadPipe()
            defer { unread.close() }
            let stuck = Task { try await client.downloadImage(Self.stuckRequest, into: unread.pipe.writeEnd) }
            try await waitUntil { server.requestLog.count >= 1 }

            let directory = try TemporaryDirectory()
            let started = ContinuousClock.now
            try await downloadFrontImageConcurrently(client, count: 50, into: directory.path)
            // Without the pause they never finish. Alone they take a fraction of a second; the bound only
            // keeps a regression from hanging the run, on two cores busy with the rest of the suite.
            #expect(ContinuousClock.now - started < .seconds(60) * timingSlack)
            #expect(directoryEntries(directory.path).count == 50)

            let cancelled = ContinuousClock.now
            stuck.cancel()
            let result = await stuck.result
            let cancelTook = ContinuousClock.now - cancelled
            // Without the pause, cancel never returns. Alone it takes milliseconds; the bound is the scheduling of
            // two tasks on two cores busy with the rest of the suite.
            #expect(cancelTook < .seconds(10) * timingSlack, "cancel took \(cancelTook)")
            guard case .failure(let error) = result else { Issue.record("the stuck download succeeded"); return }
            #expect((error as? BoldSignError)?.kind == .cancelled, "\(error)")
        }
    }

    @Test(arguments: TestTransport.selected) func downloadsStartedTogetherWithAStuckOneAllFinish(over transport: TestTransport) async throws {
        // Not waiting for the stuck transfer's response: the others start while libcurl does not yet know
        // whether its connection multiplexes. Over plain HTTP/1.1 with PIPEWAIT they waited for it until it
        // ended — never, here.
        try await withClientAndServer(over: transport, configure: { $0.maxConcurrentTransfers = 8; $0.retry = .none }) { client, _ in
            let unread = try UnreadPipe()
            defer { unread.close() }
            let stuck = Task { try await client.downloadImage(Self.stuckRequest, into: unread.pipe.writeEnd) }
            let directory = try TemporaryDirectory()
            let others = Task { try await downloadFrontImageConcurrently(client, count: 7, into: directory.path) }
            // A regression must fail the test, not hang the run.
            let watchdog = Task {
                try await Task.sleep(for: .seconds(60) * timingSlack)
                others.cancel()
            }
            let result = await others.result
            watchdog.cancel()
            stuck.cancel()
            _ = await stuck.result
            #expect(throws: Never.self) { try result.get() }
            #expect(directoryEntries(directory.path).count == 7)
        }
    }

    @Test(arguments: TestTransport.selected) func shutdownEndsATransferStuckOnAnUnreadPipe(over transport: TestTransport) async throws {
        let server = try await MockServer.start(.init(tls: transport.tls()))
        var configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey(MockFixtures.defaultAPIKey))
        transport.configure(&configuration)
        let client = try BoldSignClient(configuration: configuration)
        let unread = try UnreadPipe()
        defer { unread.close() }
        let stuck = Task { try await client.downloadImage(Self.stuckRequest, into: unread.pipe.writeEnd) }
        // Long enough for the pipe to fill: 64 KiB of a 1 MiB body on loopback.
        try await waitUntil { server.requestLog.count >= 1 }
        try await Task.sleep(for: .milliseconds(300))

        let started = ContinuousClock.now
        await client.shutdown()
        let took = ContinuousClock.now - started
        // Without the pause, shutdown never returns; the bound is room for a busy machine, as above.
        #expect(took < .seconds(10) * timingSlack, "shutdown took \(took)")
        guard case .failure(let error) = await stuck.result else { Issue.record("the stuck download succeeded"); return }
        #expect((error as? BoldSignError)?.kind == .clientShutdown, "\(error)")
        try await server.shutdown()
    }

    @Test(arguments: TestTransport.selected) func aSlowReaderGetsTheExactBodyAPieceAtATime(over transport: TestTransport) async throws {
        try await withClientAndServer(over: transport) { client, _ in
            let pipe = try FileDescriptor.pipe()
            defer { try? pipe.readEnd.close() }
            // A thread of its own reads in small bites with pauses, so the pipe is full most of the time; a
            // read error is reported, never taken for the end of the body.
            let reader = Task { try await onDedicatedThread { () throws -> [UInt8] in
                var received: [UInt8] = []
                var buffer = [UInt8](repeating: 0, count: 8192)
                while true {
                    let count = try buffer.withUnsafeMutableBytes { try pipe.readEnd.read(into: $0) }
                    if count == 0 { return received }
                    received.append(contentsOf: buffer[0..<count])
                    if received.count % (128 * 1024) < 8192 { usleep(20_000) }
                }
            } }
            // A regression must fail the test, not hang the run: the download is cancelled after a minute.
            let download = Task { try await client.downloadImage(Self.stuckRequest, into: pipe.writeEnd) }
            let watchdog = Task {
                try await Task.sleep(for: .seconds(60) * timingSlack)
                download.cancel()
            }
            let result = await download.result
            watchdog.cancel()
            try pipe.writeEnd.close()
            let received = try await reader.value
            let downloaded = try result.get()
            #expect(downloaded.bytesWritten == 1 << 20)
            #expect(received.count == 1 << 20)
            let directory = try TemporaryDirectory()
            try Data(received).write(to: URL(fileURLWithPath: directory.path + "/received"))
            #expect(try await ChildProcess.sha256(ofFile: directory.path + "/received") == MockFixtures.defaultSHA256["image-1m"])
        }
    }
}
