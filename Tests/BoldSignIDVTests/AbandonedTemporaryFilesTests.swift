@testable import BoldSignIDV
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Temporary files of killed downloads are removed; nothing a running download or anyone else owns is.
@Suite struct AbandonedTemporaryFilesTests {
    private func write(_ path: String, minutesOld: Double = 0) throws {
        try Data("partial image".utf8).write(to: URL(fileURLWithPath: path))
        try age(path, minutes: minutesOld)
    }

    private func age(_ path: String, minutes: Double) throws {
        try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: -minutes * 60)], ofItemAtPath: path)
    }

    @Test func onlyUnlockedTemporaryFilesUntouchedForAMinuteAreRemoved() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path
        try write(path + "/.front.jpg.k3j2h1x0.partial", minutesOld: 2)     // abandoned
        try write(path + "/.back.jpg.zz9.partial")                          // written just now
        try write(path + "/front.jpg", minutesOld: 10)                       // a delivered image
        try write(path + "/.notes.partial", minutesOld: 10)                  // no random suffix
        try write(path + "/.x.jpg.ABC.partial", minutesOld: 10)              // not a suffix we make
        try write(path + "/target", minutesOld: 10)
        try FileManager.default.createSymbolicLink(atPath: path + "/.link.jpg.abc.partial", withDestinationPath: path + "/target")
        try write(path + "/.locked.jpg.abc.partial", minutesOld: 2)
        let holder = try FileDescriptor.open(FilePath(path + "/.locked.jpg.abc.partial"), .readOnly)
        defer { try? holder.close() }
        #expect(flock(holder.rawValue, LOCK_EX | LOCK_NB) == 0)

        #expect(try BoldSignClient.removeAbandonedTemporaryFiles(in: FilePath(path)) == 1)
        #expect(directoryEntries(path).sorted() == [".back.jpg.zz9.partial", ".link.jpg.abc.partial", ".locked.jpg.abc.partial", ".notes.partial",
                                                    ".x.jpg.ABC.partial", "front.jpg", "target"])
    }

    @Test func aNamedTemporaryFileIsLockedWhileItsDownloadRunsAndRemovableOnceItsProcessIsGone() throws {
        let root = try TemporaryDirectory()
        let directory = try OutputDirectory(FilePath(root.path))
        defer { directory.close() }
        // The fallback for file systems without O_TMPFILE, and what a killed process leaves.
        let (name, fd) = try AtomicFileDelivery.createTemporary(in: directory, for: "front.jpg")
        try age(root.path + "/" + name, minutes: 5)
        #expect(AbandonedTemporaryFiles.remove(in: directory) == 0)
        #expect(directoryEntries(root.path) == [name])
        // Closing its descriptor drops the lock, as the kernel does for a process that dies.
        try fd.close()
        #expect(AbandonedTemporaryFiles.remove(in: directory) == 1)
        #expect(directoryEntries(root.path).isEmpty)
    }

    @Test func everyNameWeMakeIsRecognised() {
        for name in ["front.jpg", "a", ".hidden", "x.y.z", String(repeating: "n", count: 255)] {
            for suffix in [String(UInt64.max, radix: 36), "0", String(UInt64.random(in: 0...UInt64.max), radix: 36)] {
                #expect(AbandonedTemporaryFiles.isTemporaryName(AtomicFileDelivery.temporaryName(for: name, suffix: suffix)))
            }
        }
        for name in ["front.jpg", ".partial", "..partial", ".a..partial", ".a.-1.partial", ".a.b.partial.jpg", "a.b.partial"] {
            #expect(!AbandonedTemporaryFiles.isTemporaryName(name), "\(name)")
        }
    }
}
