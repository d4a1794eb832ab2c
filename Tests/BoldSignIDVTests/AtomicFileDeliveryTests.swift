@testable import BoldSignIDV
import Foundation
import SystemPackage
import TestSupport
import Testing

/// The delivery's steps name files relative to the directory it opened first, not by path.
@Suite struct AtomicFileDeliveryTests {
    @Test func aDirectoryMovedDuringTheDownloadStillReceivesTheImageAndItsOldPathGetsNothing() async throws {
        let root = try TemporaryDirectory()
        let original = root.path + "/out", moved = root.path + "/moved", elsewhere = root.path + "/elsewhere"
        for directory in [original, elsewhere] { try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: false) }
        let written = try await AtomicFileDelivery.deliver(to: FilePath(original + "/front.jpg"), replaceExisting: false, fileWork: FileWorkThreads(limit: 1), durability: .synced) { fd in
            // Mid-download, the directory is moved and its old path made to lead somewhere else.
            try FileManager.default.moveItem(atPath: original, toPath: moved)
            try FileManager.default.createSymbolicLink(atPath: original, withDestinationPath: elsewhere)
            return try fd.writeAll(Array("image".utf8))
        }
        #expect(written == 5)
        #expect(directoryEntries(moved) == ["front.jpg"])
        #expect(try String(contentsOfFile: moved + "/front.jpg", encoding: .utf8) == "image")
        #expect(directoryEntries(elsewhere).isEmpty)
    }

    /// Replacing checks the destination before the download and again at the rename: a FIFO made there
    /// meanwhile stays a FIFO, and the image is not left behind as a temporary file.
    @Test func aFIFOThatAppearsDuringTheDownloadIsNotReplaced() async throws {
        let directory = try TemporaryDirectory()
        let destination = directory.path + "/front.jpg"
        let error = await #expect(throws: BoldSignError.self) {
            try await AtomicFileDelivery.deliver(to: FilePath(destination), replaceExisting: true, fileWork: FileWorkThreads(limit: 1), durability: .synced) { fd in
                guard mkfifo(destination, 0o600) == 0 else { throw Errno(rawValue: errno) }
                return try fd.writeAll(Array("image".utf8))
            }
        }
        #expect(error?.kind == .destinationExists)
        var info = stat()
        #expect(lstat(destination, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO, "the FIFO was replaced")
        #expect(directoryEntries(directory.path) == ["front.jpg"])
    }

    @Test func aFailedWriteLeavesNoTemporaryFileEvenAfterTheDirectoryMoved() async throws {
        struct WriteFailed: Error {}
        let root = try TemporaryDirectory()
        let original = root.path + "/out", moved = root.path + "/moved"
        try FileManager.default.createDirectory(atPath: original, withIntermediateDirectories: false)
        await #expect(throws: WriteFailed.self) {
            try await AtomicFileDelivery.deliver(to: FilePath(original + "/front.jpg"), replaceExisting: false, fileWork: FileWorkThreads(limit: 1), durability: .synced) { _ in
                try FileManager.default.moveItem(atPath: original, toPath: moved)
                throw WriteFailed()
            }
        }
        #expect(directoryEntries(moved).isEmpty)
    }

    @Test func aMissingDirectoryIsAnOutputErrorNamingIt() async throws {
        let root = try TemporaryDirectory()
        let error = await #expect(throws: BoldSignError.self) {
            try await AtomicFileDelivery.deliver(to: FilePath(root.path + "/missing/front.jpg"), replaceExisting: false, fileWork: FileWorkThreads(limit: 1), durability: .synced) { _ in 0 }
        }
        #expect(error?.kind == .outputFailed)
        #expect(error?.errno == .noSuchFileOrDirectory)
        #expect(error.map { "\($0)" }?.contains(FilePath(root.path + "/missing").string) == true)
    }
}
