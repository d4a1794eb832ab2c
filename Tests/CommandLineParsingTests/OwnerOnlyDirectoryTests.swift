@testable import boldsign_idv
import Foundation
import SystemPackage
import TestSupport
import Testing

/// `mkdir -p` for output directories, on real directories. (In this target because it is the one
/// that builds the command-line tool's internals.)
@Suite struct OwnerOnlyDirectoryTests {
    @Test func everyMissingDirectoryIsCreatedOwnerOnly() throws {
        let root = try TemporaryDirectory()
        try OwnerOnlyDirectory.create(FilePath(root.path + "/a/b/c"))
        for path in ["/a", "/a/b", "/a/b/c"] {
            // The test process's umask (022 or 077) leaves 0700 as it is.
            #expect(try permissions(ofFile: root.path + path) == 0o700, "\(path)")
        }
    }

    @Test func existingDirectoriesAndLinksToThemAreLeftAsTheyAre() throws {
        let root = try TemporaryDirectory()
        try FileManager.default.createDirectory(atPath: root.path + "/open", withIntermediateDirectories: false,
                                                attributes: [.posixPermissions: 0o755])
        try FileManager.default.createSymbolicLink(atPath: root.path + "/link", withDestinationPath: root.path + "/open")
        try OwnerOnlyDirectory.create(FilePath(root.path + "/open"))
        try OwnerOnlyDirectory.create(FilePath(root.path + "/link/inner"))
        try OwnerOnlyDirectory.create(FilePath(root.path + "/open/"))
        #expect(try permissions(ofFile: root.path + "/open") == 0o755)
        #expect(try permissions(ofFile: root.path + "/open/inner") == 0o700)
    }

    @Test func aFileInTheWayIsAnErrorAndNothingIsReplaced() throws {
        let root = try TemporaryDirectory()
        try Data("keep".utf8).write(to: URL(fileURLWithPath: root.path + "/file"))
        #expect(throws: Errno.notDirectory) { try OwnerOnlyDirectory.create(FilePath(root.path + "/file")) }
        #expect(throws: Errno.notDirectory) { try OwnerOnlyDirectory.create(FilePath(root.path + "/file/below")) }
        #expect(throws: Errno.noSuchFileOrDirectory) { try OwnerOnlyDirectory.create(FilePath("")) }
        #expect(try String(contentsOfFile: root.path + "/file", encoding: .utf8) == "keep")
    }

    /// Two batches starting at once into the same new tree must both succeed.
    @Test func creatingTheSameTreeFromManyThreadsAtOnceSucceedsEverywhere() async throws {
        let root = try TemporaryDirectory()
        let target = root.path + "/x/y/z/w"
        let failures = await withTaskGroup(of: Bool.self) { group in
            for _ in 0..<16 {
                group.addTask { (try? OwnerOnlyDirectory.create(FilePath(target))) == nil }
            }
            return await group.reduce(0) { $0 + ($1 ? 1 : 0) }
        }
        #expect(failures == 0)
        #expect(try permissions(ofFile: target) == 0o700)
    }
}
