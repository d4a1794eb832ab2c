#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CurlTransport
import SystemPackage

/// Finds and removes the named temporary files (`.<name>.<random>.partial`) of downloads whose process
/// was killed before it could remove them.
///
/// Today's downloads leave none where the file system has `O_TMPFILE`; a named temporary file is the
/// fallback elsewhere, and was the only form in earlier versions. A file is taken for abandoned when
/// nobody holds a `flock` on it (every process of this version holds one on each named temporary file it
/// writes, and the kernel drops it when the process dies) and it has not been written to for a minute
/// (earlier versions took no lock; a live download writes, or has just been created).
enum AbandonedTemporaryFiles {
    /// Files written to more recently than this are left alone.
    static let minimumAge: Int = 60

    /// Removes the abandoned temporary files in `directory`; returns how many.
    static func remove(in directory: OutputDirectory, now: time_t = time(nil)) -> Int {
        let dirfd = directory.descriptor.rawValue
        let listing = dup(dirfd)
        guard listing >= 0, let stream = fdopendir(listing) else {
            if listing >= 0 { _ = close(listing) }
            return 0
        }
        defer { closedir(stream) }
        // A duplicate shares the directory's read position with every earlier listing of it.
        rewinddir(stream)
        var removed = 0
        DirectoryNames.forEach(in: stream) { name in
            guard isTemporaryName(name), isAbandoned(name, in: dirfd, now: now) else { return }
            if unlinkat(dirfd, name, 0) == 0 { removed += 1 }
        }
        return removed
    }

    /// `.<name>.<suffix>.partial`, where `suffix` is what ``AtomicFileDelivery/temporaryName(for:suffix:)``
    /// makes: 1 to 13 lowercase base-36 digits.
    static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".partial") else { return false }
        let stem = name.dropFirst().dropLast(".partial".count)
        guard let dot = stem.lastIndex(of: ".") else { return false }
        let suffix = stem[stem.index(after: dot)...]
        return !stem[..<dot].isEmpty && (1...13).contains(suffix.count)
            && suffix.utf8.allSatisfy { (0x30...0x39).contains($0) || (0x61...0x7A).contains($0) }
    }

    /// A regular file of ours, unlocked, and not written to for ``minimumAge`` seconds.
    private static func isAbandoned(_ name: String, in dirfd: Int32, now: time_t) -> Bool {
        let fd = openat(dirfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
        guard fd >= 0 else { return false }
        defer { _ = close(fd) }
        var info = stat()
        guard fstat(fd, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, info.st_uid == getuid(),
              now - info.st_mtim.tv_sec >= minimumAge else { return false }
        // Held until this descriptor closes, after the unlink: a process cannot take it over meanwhile.
        return flock(fd, LOCK_EX | LOCK_NB) == 0
    }
}

extension BoldSignClient {
    /// Removes the temporary files that downloads into `directory` left behind when their process was
    /// killed (`.<name>.<random>.partial`, hidden). Call it when resuming work in a directory, as
    /// `boldsign-idv batch` does; ``downloadAllImages(documentID:signer:order:onBehalfOf:to:timeout:logger:)``
    /// does it for its directory.
    ///
    /// Only files nobody is writing are removed: files of running downloads of this package, in this
    /// process or another, are locked and left alone, and so is any file written to within the last minute.
    /// Other files are never touched.
    ///
    /// - Returns: How many files were removed.
    /// - Throws: ``BoldSignError`` of kind ``BoldSignError/Kind/outputFailed`` when the directory cannot be opened.
    @discardableResult
    public static func removeAbandonedTemporaryFiles(in directory: FilePath) throws -> Int {
        let opened = try OutputDirectory(directory)
        defer { opened.close() }
        return AbandonedTemporaryFiles.remove(in: opened)
    }
}
