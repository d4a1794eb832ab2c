#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Writes a file so that the destination only ever holds a complete one: a private temporary file
/// in the same directory (mode 0600), `fsync`, then an atomic `link` that fails if the destination
/// appeared meanwhile — or, when replacing, an atomic rename. On any failure the destination is
/// untouched and the temporary file is gone.
///
/// The temporary file is anonymous where the kernel and file system allow (`O_TMPFILE`, linked in through
/// `/proc/self/fd`): it has no name until it is complete, so a process killed mid-download leaves nothing
/// behind. Elsewhere it is a hidden `.<name>.<random>.partial` (`O_EXCL|O_NOFOLLOW`), removed on failure.
///
/// Every step names its file relative to one descriptor of the directory, opened first: if the
/// directory is moved, or a component of its path swapped for a symlink, during the download, the
/// image still lands beside its temporary file (by path, the link failed and the temporary file was
/// left behind), and the path is resolved once instead of by each step.
enum AtomicFileDelivery {
    /// Runs `write` with a descriptor open on a fresh temporary file, then moves it into place.
    static func deliver<Result>(
        to destination: FilePath, replaceExisting: Bool, fileWork: FileWorkThreads, durability: Configuration.Durability,
        _ write: (FileDescriptor) async throws -> Result
    ) async throws -> Result {
        try await complete(try PendingDelivery(to: destination, replaceExisting: replaceExisting), fileWork: fileWork, durability: durability, write)
    }

    /// Like ``deliver(to:replaceExisting:_:)`` for a destination that is only known once the body is
    /// written (its extension comes from the image format): `destinationName` names it, in `directory`,
    /// from `write`'s result.
    static func deliver<Result>(
        in directory: FilePath, temporaryName: String, replaceExisting: Bool, fileWork: FileWorkThreads, durability: Configuration.Durability,
        _ write: (FileDescriptor) async throws -> Result,
        destinationName: (Result) -> String
    ) async throws -> Result {
        let delivery = try PendingDelivery(in: try OutputDirectory(directory), name: temporaryName, replaceExisting: replaceExisting)
        return try await complete(delivery, fileWork: fileWork, durability: durability, write, destinationName: destinationName)
    }

    /// Runs `write` with the delivery's temporary file, then commits the delivery on `fileWork`'s threads,
    /// or abandons it when `write` throws.
    static func complete<Result>(_ delivery: PendingDelivery, fileWork: FileWorkThreads, durability: Configuration.Durability,
                                 _ write: (FileDescriptor) async throws -> Result) async throws -> Result {
        try await complete(delivery, fileWork: fileWork, durability: durability, write) { _ in delivery.name }
    }

    /// Like ``complete(_:_:)``, with the destination named from `write`'s result.
    static func complete<Result>(
        _ delivery: PendingDelivery, fileWork: FileWorkThreads, durability: Configuration.Durability, _ write: (FileDescriptor) async throws -> Result,
        destinationName: (Result) -> String
    ) async throws -> Result {
        let result: Result
        do {
            result = try await write(delivery.file)
        } catch {
            delivery.abandon()
            throw error
        }
        let destination = destinationName(result)
        try await fileWork.run { () throws(BoldSignError) in try delivery.commit(as: destination, durability: durability) }
        return result
    }

    /// A new anonymous file in `directory`, open for writing, mode 0600; nil where the kernel or the file
    /// system lacks `O_TMPFILE`, or `/proc` (through which it is linked in) is not mounted.
    static func createAnonymous(in directory: OutputDirectory) -> FileDescriptor? {
        guard procFileDescriptorsAvailable else { return nil }
        let fd = openat(directory.descriptor.rawValue, ".", anonymousFileFlags | O_WRONLY | O_CLOEXEC, 0o600)
        return fd >= 0 ? FileDescriptor(rawValue: fd) : nil
    }

    /// `O_TMPFILE`, which Swift's Glibc module does not import (a macro expression): `__O_TMPFILE | O_DIRECTORY`,
    /// with `__O_TMPFILE` 020000000 on x86_64 and arm64.
    private static let anonymousFileFlags: Int32 = 0o20_000_000 | O_DIRECTORY

    private static let procFileDescriptorsAvailable = access("/proc/self/fd", X_OK) == 0

    /// Gives the anonymous file open as `file` the name `name` in `directory`; fails with `EEXIST` when the
    /// name is taken.
    static func link(anonymous file: FileDescriptor, in directory: OutputDirectory, as name: String) -> Errno? {
        linkat(AT_FDCWD, "/proc/self/fd/\(file.rawValue)", directory.descriptor.rawValue, name, AT_SYMLINK_FOLLOW) == 0
            ? nil : Errno(rawValue: errno)
    }

    /// A fresh hidden name for a temporary file of `name`: `.<name>.<suffix>.partial`, with `name` cut to
    /// ``temporaryStemBytes`` bytes on a character boundary so that the whole stays within a file name's
    /// 255 bytes however many bytes each of its characters takes.
    static func temporaryName(for name: String, suffix: String = String(UInt64.random(in: 0...UInt64.max), radix: 36)) -> String {
        var stem = String.UnicodeScalarView()
        var bytes = 0
        for scalar in name.unicodeScalars {
            bytes += UTF8.width(scalar)
            guard bytes <= temporaryStemBytes else { break }
            stem.append(scalar)
        }
        return ".\(String(stem)).\(suffix).partial"
    }

    /// 255 bytes less the dots, a 13-digit suffix and `.partial`, with room to spare.
    static let temporaryStemBytes = 200

    /// Creates `.<name>.<suffix>.partial`; a name already taken — by a file, or by a symlink planted
    /// there — is never opened through (`O_EXCL|O_NOFOLLOW`): the next suffix is tried. Returns the
    /// temporary file's name in `directory` and a descriptor open for writing on it.
    static func createTemporary(
        in directory: OutputDirectory, for name: String,
        suffix nextSuffix: () -> String = { String(UInt64.random(in: 0...UInt64.max), radix: 36) }
    ) throws -> (String, FileDescriptor) {
        for _ in 0..<16 {
            let temporary = temporaryName(for: name, suffix: nextSuffix())
            let fd = openat(directory.descriptor.rawValue, temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o600)
            if fd >= 0 {
                // Tells AbandonedTemporaryFiles that the file is in use, for as long as the process lives.
                _ = flock(fd, LOCK_EX | LOCK_NB)
                return (temporary, FileDescriptor(rawValue: fd))
            }
            let error = Errno(rawValue: errno)
            switch error {
            case .fileExists, .interrupted: continue
            default: throw BoldSignError(.outputFailed, "cannot create a temporary file in \(directory.path): \(error)", errno: error)
            }
        }
        throw BoldSignError(.outputFailed, "cannot create a unique temporary file in \(directory.path)", errno: .fileExists)
    }
}

/// A descriptor of the directory a delivery writes into; every name is resolved relative to it.
struct OutputDirectory {
    /// The directory as the caller named it, for messages.
    let path: FilePath
    /// Open until ``close()``; the `dirfd` of every `*at` call.
    let descriptor: FileDescriptor
    /// Opened readable, so `fsync` works on it; false for a directory that may be written but not read.
    private let syncable: Bool

    /// Opens `path` (the current directory when empty).
    init(_ path: FilePath) throws {
        self.path = path.isEmpty ? FilePath(".") : path
        let options: FileDescriptor.OpenOptions = [.directory, .closeOnExec]
        do {
            do {
                descriptor = try FileDescriptor.open(self.path, .readOnly, options: options, retryOnInterrupt: true)
                syncable = true
            } catch Errno.permissionDenied {
                // A directory with write and search permission but no read permission still takes new
                // files; only syncing it needs a readable descriptor.
                descriptor = try FileDescriptor.open(self.path, Self.pathOnly, options: options, retryOnInterrupt: true)
                syncable = false
            }
        } catch let error as Errno {
            throw BoldSignError(.outputFailed, "cannot open the directory \(self.path): \(error)", errno: error)
        }
    }

    /// `O_PATH`, which Swift's Glibc module leaves out (glibc declares it only with `_GNU_SOURCE`);
    /// the value is the same on every architecture Swift supports on Linux.
    private static let pathOnly = FileDescriptor.AccessMode(rawValue: 0o10_000_000)

    /// What a directory entry is, as far as a delivery cares.
    enum Entry { case regularFile, symbolicLink, other }

    /// What `name` is in the directory (a symlink itself, dangling or not), or nil when there is nothing.
    func entry(_ name: String) -> Entry? {
        var info = stat()
        guard fstatat(descriptor.rawValue, name, &info, AT_SYMLINK_NOFOLLOW) == 0 else { return nil }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regularFile
        case S_IFLNK: return .symbolicLink
        default: return .other
        }
    }

    /// Removes `name`; a failure cannot be acted on here, so it is not reported.
    func remove(_ name: String) {
        _ = unlinkat(descriptor.rawValue, name, 0)
    }

    /// Makes renames and links in the directory durable; a failure here cannot undo a complete file,
    /// so it is not reported.
    func sync() {
        guard syncable else { return }
        _ = fsync(descriptor.rawValue)
    }

    /// Closes the descriptor; call once, when the delivery is over.
    func close() {
        try? descriptor.close()
    }
}
