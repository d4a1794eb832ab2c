@testable import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Identity images are personal data: every file we create — the temporary one included — is the
/// owner's alone, and no symlink planted in our way redirects a write.
@Suite struct FilePrivacyTests {
    @Test func theTemporaryFileAndTheDeliveredImageAreMode0600EvenUnderAPermissiveUmask() async throws {
        let previous = umask(0)
        defer { umask(previous) }
        try await withClientAndServer { client, _ in
            let directory = try TemporaryDirectory()
            // The stall file sends 64 KiB, then nothing for 30 s: long enough to look at the temporary file.
            let download = Task {
                try await client.downloadImage(ImageRequest(documentID: faultDocument, signer: faults, fileID: "stall"),
                                               to: FilePath(directory.path + "/stalled.jpg"))
            }
            // The temporary file is anonymous (O_TMPFILE): nothing in the directory names it; this process's
            // descriptor table shows it as "<directory>/#<inode> (deleted)".
            var temporary: String?
            for _ in 0..<200 where temporary == nil {
                temporary = Self.openAnonymousFile(in: directory.path)
                if temporary == nil { try await Task.sleep(for: .milliseconds(10)) }
            }
            let descriptor = try #require(temporary)
            #expect(directoryEntries(directory.path).isEmpty)
            var info = stat()
            #expect(stat(descriptor, &info) == 0 && info.st_mode & 0o7777 == 0o600)
            download.cancel()
            _ = await download.result
            #expect(directoryEntries(directory.path).isEmpty)

            _ = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile),
                                               to: FilePath(directory.path + "/front.jpg"))
            #expect(try permissions(ofFile: directory.path + "/front.jpg") == 0o600)
        }
    }

    /// `/proc/self/fd/N` of a descriptor open on an unnamed file in `directory`, if there is one.
    static func openAnonymousFile(in directory: String) -> String? {
        let descriptors = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        let directory = URL(fileURLWithPath: directory).standardizedFileURL.path
        return descriptors.map { "/proc/self/fd/" + $0 }.first { path in
            guard let target = try? FileManager.default.destinationOfSymbolicLink(atPath: path) else { return false }
            return target.hasPrefix(directory + "/#") && target.hasSuffix(" (deleted)")
        }
    }

    /// The hidden named form, used where the file system has no anonymous files and for a replacing
    /// rename, never opens through a symlink planted at its name.
    @Test func aSymlinkPlantedAtTheTemporaryPathIsNotFollowed() throws {
        let directory = try TemporaryDirectory()
        let victim = directory.path + "/victim"
        try Data("victim".utf8).write(to: URL(fileURLWithPath: victim))
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/.front.jpg.planted.partial", withDestinationPath: victim)
        try FileManager.default.createSymbolicLink(atPath: directory.path + "/.front.jpg.dangling.partial",
                                                   withDestinationPath: directory.path + "/created-through-link")
        var suffixes = ["planted", "dangling", "fresh"].makeIterator()
        let output = try OutputDirectory(FilePath(directory.path))
        defer { output.close() }
        let (temporary, fd) = try AtomicFileDelivery.createTemporary(in: output, for: "front.jpg") { suffixes.next() ?? "x" }
        _ = try fd.writeAll(Array("image".utf8))
        try fd.close()
        #expect(temporary == ".front.jpg.fresh.partial")
        #expect(try String(contentsOfFile: victim, encoding: .utf8) == "victim")
        #expect(!FileManager.default.fileExists(atPath: directory.path + "/created-through-link"))
        #expect(try String(contentsOfFile: directory.path + "/" + temporary, encoding: .utf8) == "image")
    }

    @Test func replacingASymlinkAtTheDestinationReplacesTheLinkNotItsTarget() async throws {
        try await withClientAndServer { client, _ in
            let directory = try TemporaryDirectory()
            let target = directory.path + "/target"
            try Data("target".utf8).write(to: URL(fileURLWithPath: target))
            try FileManager.default.createSymbolicLink(atPath: directory.path + "/link.jpg", withDestinationPath: target)
            let download = try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile),
                                                          to: FilePath(directory.path + "/link.jpg"), replaceExisting: true)
            #expect(try String(contentsOfFile: target, encoding: .utf8) == "target")
            #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: directory.path + "/link.jpg")) == nil)
            #expect(fileSize(directory.path + "/link.jpg") == Int(download.bytesWritten))
        }
    }

    /// `replaceExisting` replaces a file or a symlink, never a FIFO or a device: renaming over `/dev/null`
    /// once made it an ordinary 0600 file for the whole machine. Refused before any request is sent.
    @Test func replacingRefusesAFIFOOrADeviceAndLeavesItAsItWas() async throws {
        try await withClientAndServer { client, server in
            let directory = try TemporaryDirectory()
            var nodes = [directory.path + "/fifo.jpg"]
            #expect(mkfifo(nodes[0], 0o600) == 0)
            // A character device like /dev/null (major 1, minor 3): only root may make one.
            if mknod(directory.path + "/null.jpg", S_IFCHR | 0o666, dev_t(1 << 8 | 3)) == 0 { nodes.append(directory.path + "/null.jpg") }
            for node in nodes {
                let error = await #expect(throws: BoldSignError.self) {
                    try await client.downloadImage(ImageRequest(documentID: sampleDocument, signer: alex, fileID: frontFile),
                                                   to: FilePath(node), replaceExisting: true)
                }
                #expect(error?.kind == .destinationExists, "\(node)")
                var info = stat()
                #expect(lstat(node, &info) == 0)
                #expect(info.st_mode & S_IFMT != S_IFREG, "\(node) was replaced by a regular file")
            }
            #expect(server.statistics.imageRequests == 0)
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).count == nodes.count)
        }
    }
}
