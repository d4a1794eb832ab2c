@testable import CurlTransport
import Foundation
import SystemPackage
import TestSupport
import Testing

/// Whole-file reads, on real files.
@Suite struct FileDescriptorReaderTests {
    @Test func aFileOfSeveralChunksIsReadExactly() throws {
        let directory = try TemporaryDirectory()
        let bytes = (0..<200_001).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        try Data(bytes).write(to: URL(fileURLWithPath: directory.path + "/m"))
        #expect(try FileDescriptorReader.readAll(FilePath(directory.path + "/m")) == bytes)
        try Data().write(to: URL(fileURLWithPath: directory.path + "/empty"))
        #expect(try FileDescriptorReader.readAll(FilePath(directory.path + "/empty")).isEmpty)
    }

    @Test func whatCannotBeReadFailsWithItsErrno() throws {
        let directory = try TemporaryDirectory()
        #expect(throws: Errno.noSuchFileOrDirectory) { try FileDescriptorReader.readAll(FilePath(directory.path + "/none")) }
        #expect(throws: Errno.isDirectory) { try FileDescriptorReader.readAll(FilePath(directory.path)) }
    }
}
