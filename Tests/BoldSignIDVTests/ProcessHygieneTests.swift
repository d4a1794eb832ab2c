@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A daemon that links us may spawn children at any moment: none of them may inherit a socket (or
/// the image file) of a transfer in flight.
@Suite struct ProcessHygieneTests {
    /// Spawns `/bin/ls -l /proc/self/fd` with plain `posix_spawn` — no close-the-rest file actions,
    /// unlike Foundation's `Process` — so only close-on-exec keeps descriptors out of the child.
    private func descriptorsOfASpawnedChild() throws -> [String] {
        let directory = try TemporaryDirectory()
        let outputPath = directory.path + "/fds"
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let arguments = ["/bin/ls", "-l", "/proc/self/fd/"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/ls", &actions, nil, &argv, environ)
        guard spawned == 0 else { throw POSIXError(.init(rawValue: spawned) ?? .EIO) }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return try String(contentsOfFile: outputPath, encoding: .utf8).split(separator: "\n").map(String.init)
    }

    /// The sockets and pipes open now (the test runner has inheritable ones, which are not ours to judge).
    private func openSockets() throws -> Set<String> {
        Set(try FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd").compactMap {
            try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/\($0)")
        }.filter { $0.hasPrefix("socket:") || $0.hasPrefix("pipe:") })
    }

    @Test func aChildSpawnedDuringTransfersInheritsNoSocketAndNoImageFile() async throws {
        // Out of process, so that every socket that appears in this process from here on is the client's.
        let server = try await MockServerProcess.start([])
        let before = try openSockets()
        let configuration = Configuration(baseURL: server.baseURL, credentials: .apiKey(MockFixtures.defaultAPIKey))
        try await withBoldSignClient(configuration: configuration) { client in
            let directory = try TemporaryDirectory()
            // Two downloads that stall after 64 KiB keep connections (and temporary files) open.
            let downloads = (0..<2).map { index in
                Task {
                    try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "stall"),
                                                   to: FilePath(directory.path + "/stalled-\(index).jpg"))
                }
            }
            for _ in 0..<200 where directoryEntries(directory.path).count < 2 {
                try await Task.sleep(for: .milliseconds(10))
            }
            #expect(directoryEntries(directory.path).count == 2, "both downloads should be under way")
            let inherited = try await onDedicatedThread { try descriptorsOfASpawnedChild() }
            downloads.forEach { $0.cancel() }
            for download in downloads { _ = await download.result }

            let leaked = inherited.filter { line in
                line.contains(".partial") || before.allSatisfy { !line.hasSuffix(" -> " + $0) } && (line.contains("socket:") || line.contains("pipe:"))
            }
            #expect(leaked.isEmpty, "the child inherited: \(leaked)")
            #expect(inherited.contains { $0.contains("/proc/") }, "ls should have listed its own descriptors: \(inherited)")
        }
        _ = await server.stop()
    }
}
