#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Remembers where a download started in a caller's descriptor, so that a retry can take a partial
/// body back out: truncate to the start and seek there. Possible only for regular files; for a pipe,
/// socket or terminal, bytes once written stay written and the download is not retried.
struct OutputRewinder {
    let fd: FileDescriptor
    /// The starting offset, or nil when the descriptor is not a regular, seekable file.
    let start: Int64?

    init(_ fd: FileDescriptor) {
        self.fd = fd
        var info = stat()
        guard fstat(fd.rawValue, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            start = nil
            return
        }
        let offset = lseek(fd.rawValue, 0, SEEK_CUR)
        start = offset >= 0 ? Int64(offset) : nil
    }

    /// For an empty regular file just created for this download: its start is offset 0.
    init(newFile fd: FileDescriptor) {
        self.fd = fd
        start = 0
    }

    var isRewindable: Bool { start != nil }

    /// Truncates back to the start and seeks there; false when that failed (then do not retry).
    func rewind() -> Bool {
        guard let start else { return false }
        return ftruncate(fd.rawValue, off_t(start)) == 0 && lseek(fd.rawValue, off_t(start), SEEK_SET) == off_t(start)
    }
}
