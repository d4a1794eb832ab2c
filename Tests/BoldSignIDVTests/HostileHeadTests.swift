@testable import BoldSignIDV
import Foundation
import Synchronization
import SystemPackage
import TestSupport
import Testing

/// Findings of a review of the transport, file delivery and error paths against hand-written servers:
/// a retry that wiped an appended file, and rate-limit headers that trapped or wedged the client. Each test failed before its fix.
@Suite struct HostileHeadTests {
    private let request = ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile)
    /// 1 MiB: the first response's 768 KiB are more than the client gathers before writing (256 KiB).
    private let jpeg: [UInt8] = [0xFF, 0xD8, 0xFF, 0xE0] + (4..<1 << 20).map { UInt8(truncatingIfNeeded: $0 * 7) }

    /// Answers the first request with three quarters of the body and a closed connection, every later one in full.
    private func serverDroppingTheFirstResponse() throws -> ScriptedHTTPServer {
        let served = Mutex(0)
        let jpeg = jpeg
        return try ScriptedHTTPServer { _ in
            let count = served.withLock { count in
                count += 1
                return count
            }
            let head = ["HTTP/1.1 200 OK", "Content-Type: image/jpeg", "Content-Length: \(jpeg.count)"]
            return [UInt8].httpResponse(head, body: count == 1 ? Array(jpeg.prefix(768 * 1024)) : jpeg)
        }
    }

    private func configuration(_ server: ScriptedHTTPServer, attempts: Int = 2) -> Configuration {
        var configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey("hostile-head-key-1"))
        configuration.retry.maxAttempts = attempts
        configuration.retry.baseDelay = .milliseconds(1)
        return configuration
    }

    @Test func aRetryIntoAnAppendingDescriptorKeepsWhatTheFileHeld() async throws {
        let server = try serverDroppingTheFirstResponse()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let path = directory.path + "/archive.bin"
        let before = [UInt8](repeating: 0x61, count: 2700)
        try Data(before).write(to: URL(fileURLWithPath: path))
        // As a shell's `>>` opens it: offset 0, every write at the end.
        let fd = try FileDescriptor.open(path, .writeOnly, options: [.append])
        defer { try? fd.close() }
        let download = try await withBoldSignClient(configuration: configuration(server)) { client in
            try await client.downloadImage(request, into: fd)
        }
        #expect(server.requests.count == 2, "the cut-short first response should have been retried")
        #expect(download.bytesWritten == Int64(jpeg.count))
        let after = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(after.count == before.count + jpeg.count)
        let exact = after == Data(before + jpeg)
        #expect(exact, "the file holds what it held, then the image, and nothing of the cut-short attempt")
    }

    @Test func aDescriptorInTheMiddleOfAFileIsNotTruncatedByARetry() async throws {
        let server = try serverDroppingTheFirstResponse()
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let path = directory.path + "/archive.bin"
        let before = [UInt8](repeating: 0x61, count: 2 << 20)
        try Data(before).write(to: URL(fileURLWithPath: path))
        // Offset 0 of a file that holds more than the download writes: the tail is not the download's to cut.
        let fd = try FileDescriptor.open(path, .writeOnly)
        defer { try? fd.close() }
        _ = try await withBoldSignClient(configuration: configuration(server)) { client in
            await expectError(.connectionFailed) { try await client.downloadImage(request, into: fd) }
        }
        #expect(server.requests.count == 1, "bytes written over the middle of a file cannot be taken back, so no retry")
        let after = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        #expect(after.count == before.count)
        let tailKept = after.suffix(from: 768 * 1024) == before.suffix(from: 768 * 1024)
        #expect(tailKept, "what the download did not overwrite is still there")
    }

    @Test func anAppendedFileThatAnotherWriterGrewIsNotRewound() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/shared.log"
        try Data("first\n".utf8).write(to: URL(fileURLWithPath: path))
        let fd = try FileDescriptor.open(path, .writeOnly, options: [.append])
        defer { try? fd.close() }
        let rewinder = OutputRewinder(fd)
        #expect(rewinder.start == 6)
        _ = try? fd.writeAll(Array("partial".utf8))
        // Another writer of the same file appends after the download's partial body.
        if let other = try? FileDescriptor.open(path, .writeOnly, options: [.append]) {
            _ = try? other.writeAll(Array("theirs\n".utf8))
            try? other.close()
        }
        #expect(!rewinder.rewind(written: 7))
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "first\npartialtheirs\n")
    }

    @Test func aResetOf1e300OnA429IsNoTrapAndNoWait() async throws {
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(
            ["HTTP/1.1 429 Too Many Requests", "X-RateLimit-Reset: 1e300", "Content-Length: 0"]))
        defer { server.stop() }
        var configuration = configuration(server, attempts: 1)
        configuration.rateLimiting = .off
        let error = try await withBoldSignClient(configuration: configuration) { client in
            await expectError(.rateLimited) { try await downloadDiscardingBody(client, request) }
        }
        #expect(error?.retryAfter == nil, "an implausible reset is ignored, not turned into a wait")
    }

    /// The two headers that follow: a window said to reset in 1e17 s, and one in Unix milliseconds (which
    /// read as seconds lies 55,000 years ahead). Either way the next request goes at once.
    @Test(arguments: ["1e17", "milliseconds"])
    func aRemainingOfZeroWithAnImplausibleResetDoesNotStopTheClient(_ reset: String) async throws {
        let served = Mutex(0)
        let jpeg = jpeg
        let server = try ScriptedHTTPServer { _ in
            served.withLock { $0 += 1 }
            // A millisecond reset a second in the past: recognised, it lets the next request go.
            let value = reset == "1e17" ? reset : String(Int64((Date().timeIntervalSince1970 - 1) * 1000))
            return [UInt8].httpResponse(["HTTP/1.1 200 OK", "X-RateLimit-Limit: 50", "X-RateLimit-Remaining: 0",
                                                    "X-RateLimit-Reset: \(value)", "Content-Length: \(jpeg.count)"], body: jpeg)
        }
        defer { server.stop() }
        var configuration = configuration(server, attempts: 1)
        // A wait the limiter would need is refused at once rather than slept through.
        configuration.rateLimiting.maxWait = .milliseconds(1)
        try await withBoldSignClient(configuration: configuration) { client in
            for _ in 0..<3 {
                let download = try await downloadDiscardingBody(client, request)
                #expect(download.bytesWritten == Int64(jpeg.count))
            }
        }
        #expect(served.withLock { $0 } == 3)
    }

    @Test func resetValuesAreReadWithinBounds() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        func reset(_ text: String) -> Double? { HTTPHeaderTime.resetTime(text, now: now).map { $0.timeIntervalSince(now) } }
        #expect(reset("30") == 30)
        #expect(reset("1790000600") == 600)
        #expect(reset("1790000600000") == 600, "Unix milliseconds")
        #expect(reset("1790000000000000") == nil, "microseconds are no reset this API sends")
        #expect(reset("1e300") == nil)
        #expect(reset("1e17") == nil)
        #expect(reset("nan") == nil)
        #expect(reset("inf") == nil)
        #expect(reset("-5") == nil)
        #expect(reset("\(1_790_000_000 + 86_400 + 1)") == nil, "more than a day ahead")
        #expect(reset("999999999") == nil, "a delay of 31 years is no delay this API sends")
    }

    /// 83 three-byte characters and `.jpg`: 253 bytes, a legal name, whose temporary name once kept 200
    /// characters (600 bytes) and failed with ENAMETOOLONG.
    @Test func aLongNonASCIINameIsReplaced() async throws {
        let server = try ScriptedHTTPServer(respondingWith: .httpResponse(["HTTP/1.1 200 OK", "Content-Length: \(jpeg.count)"], body: jpeg))
        defer { server.stop() }
        let directory = try TemporaryDirectory()
        let name = String(repeating: "日", count: 83) + ".jpg"
        #expect(name.utf8.count == 253)
        let path = directory.path + "/" + name
        try Data("previous".utf8).write(to: URL(fileURLWithPath: path))
        try await withBoldSignClient(configuration: configuration(server, attempts: 1)) { client in
            let download = try await client.downloadImage(request, to: FilePath(path), replaceExisting: true)
            #expect(download.bytesWritten == Int64(jpeg.count))
        }
        #expect(fileSize(path) == jpeg.count)
        #expect(directoryEntries(directory.path) == [name])
        let temporary = AtomicFileDelivery.temporaryName(for: name)
        #expect(temporary.utf8.count <= 255 && AbandonedTemporaryFiles.isTemporaryName(temporary))
    }
}
