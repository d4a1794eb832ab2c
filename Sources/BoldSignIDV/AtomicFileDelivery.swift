#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Writes a file so that the destination only ever holds a complete one: a private temporary file
/// in the same directory (mode 0600, `O_EXCL|O_NOFOLLOW`), `fsync`, then an atomic rename — or, when
/// replacing is not allowed, an atomic `link` that fails if the destination appeared meanwhile.
/// On any failure the destination is untouched and the temporary file is gone.
enum AtomicFileDelivery {
    /// Runs `write` with a descriptor open on a fresh temporary file, then moves it into place.
    static func deliver<Result>(
        to destination: FilePath, replaceExisting: Bool,
        _ write: (FileDescriptor) async throws -> Result
    ) async throws -> Result {
        guard let name = destination.lastComponent, name.string != "..", name.string != "." else {
            throw BoldSignError(.invalidRequest, "the destination \(destination) names no file", field: "destination")
        }
        if !replaceExisting, exists(destination) {
            throw BoldSignError(.destinationExists, "\(destination) exists; pass replaceExisting: true to replace it", errno: .fileExists)
        }
        return try await deliver(in: destination.removingLastComponent(), temporaryName: name.string, replaceExisting: replaceExisting,
                                 write) { _ in destination }
    }

    /// Like ``deliver(to:replaceExisting:_:)`` for a destination that is only known once the body is
    /// written (its extension comes from the image format): `destination` names it from `write`'s result.
    static func deliver<Result>(
        in directory: FilePath, temporaryName: String, replaceExisting: Bool,
        _ write: (FileDescriptor) async throws -> Result,
        destination: (Result) -> FilePath
    ) async throws -> Result {
        let directoryPath = directory.isEmpty ? FilePath(".") : directory
        let (temporary, fd) = try createTemporary(in: directoryPath, for: temporaryName)
        let result: Result
        do {
            result = try await write(fd)
            try syncFile(fd, directoryPath)
        } catch {
            try? fd.close()
            _ = unlink(temporary.string)
            throw error
        }
        do {
            try fd.close()
            try moveIntoPlace(temporary, destination(result), replaceExisting: replaceExisting)
        } catch {
            _ = unlink(temporary.string)
            throw error
        }
        syncDirectory(directoryPath)
        return result
    }

    static func exists(_ path: FilePath) -> Bool {
        var info = stat()
        return lstat(path.string, &info) == 0
    }

    /// Creates `.<name>.<suffix>.partial`; a name already taken — by a file, or by a symlink planted
    /// there — is never opened through (`O_EXCL|O_NOFOLLOW`): the next suffix is tried.
    static func createTemporary(
        in directory: FilePath, for name: String,
        suffix nextSuffix: () -> String = { String(UInt64.random(in: 0...UInt64.max), radix: 36) }
    ) throws -> (FilePath, FileDescriptor) {
        for _ in 0..<16 {
            let suffix = nextSuffix()
            let temporary = directory.appending(".\(name.prefix(200)).\(suffix).partial")
            do {
                let fd = try FileDescriptor.open(
                    temporary, .writeOnly, options: [.create, .exclusiveCreate, .noFollow, .closeOnExec],
                    permissions: [.ownerRead, .ownerWrite], retryOnInterrupt: true)
                return (temporary, fd)
            } catch Errno.fileExists {
                continue
            } catch let error as Errno {
                throw BoldSignError(.outputFailed, "cannot create a temporary file in \(directory): \(error)", errno: error)
            }
        }
        throw BoldSignError(.outputFailed, "cannot create a unique temporary file in \(directory)", errno: .fileExists)
    }

    private static func moveIntoPlace(_ temporary: FilePath, _ destination: FilePath, replaceExisting: Bool) throws {
        if replaceExisting {
            guard rename(temporary.string, destination.string) == 0 else {
                let error = Errno(rawValue: errno)
                throw BoldSignError(.outputFailed, "cannot move the image into \(destination): \(error)", errno: error)
            }
            return
        }
        // link(2) never replaces: it fails with EEXIST if the destination appeared since the check.
        guard link(temporary.string, destination.string) == 0 else {
            let error = Errno(rawValue: errno)
            if error == .fileExists {
                throw BoldSignError(.destinationExists, "\(destination) appeared during the download; it was left as it was", errno: error)
            }
            throw BoldSignError(.outputFailed, "cannot move the image into \(destination): \(error)", errno: error)
        }
        _ = unlink(temporary.string)
    }

    private static func syncFile(_ fd: FileDescriptor, _ directory: FilePath) throws {
        while fsync(fd.rawValue) != 0 {
            let error = Errno(rawValue: errno)
            guard error == .interrupted else {
                throw BoldSignError(.outputFailed, "cannot sync the image in \(directory) to disk: \(error)", errno: error)
            }
        }
    }

    /// Makes the rename itself durable; a failure here cannot undo a complete file, so it is not reported.
    private static func syncDirectory(_ directory: FilePath) {
        guard let fd = try? FileDescriptor.open(directory, .readOnly, options: [.directory, .closeOnExec]) else { return }
        _ = fsync(fd.rawValue)
        try? fd.close()
    }
}
