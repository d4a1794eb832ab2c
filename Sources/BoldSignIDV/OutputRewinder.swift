#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// Remembers where a download started in a caller's descriptor, so that a retry can take a partial
/// body back out: truncate to the start and seek there.
///
/// Only bytes the download added at the end of a regular file can be taken back. A download that
/// overwrites the middle of a file cannot restore what it overwrote, and for a pipe, socket or terminal,
/// bytes once written stay written: those downloads are not retried once a byte went out. An appending
/// (`O_APPEND`) descriptor writes at the end whatever its offset says (the offset of a fresh `>>` is 0),
/// so its start is the file's size; and because other writers may share such a file, a rewind happens
/// only while the file still ends exactly where this download's bytes end.
struct OutputRewinder {
    let fd: FileDescriptor
    /// The size the file had when the download started, or nil when the descriptor is not a regular
    /// file written at its end.
    let start: Int64?

    init(_ fd: FileDescriptor) {
        self.fd = fd
        var info = stat()
        let statusFlags = fcntl(fd.rawValue, F_GETFL)
        guard fstat(fd.rawValue, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG, statusFlags >= 0 else {
            start = nil
            return
        }
        let size = Int64(info.st_size)
        if statusFlags & O_APPEND != 0 {
            start = size
        } else {
            // Writing from anywhere but the end would overwrite bytes that a truncation could not bring back.
            let offset = lseek(fd.rawValue, 0, SEEK_CUR)
            start = offset >= 0 && Int64(offset) == size ? size : nil
        }
    }

    /// For an empty regular file just created for this download: its start is offset 0.
    init(newFile fd: FileDescriptor) {
        self.fd = fd
        start = 0
    }

    var isRewindable: Bool { start != nil }

    /// Takes the `written` bytes of the failed attempt back out: truncates to the start and seeks there.
    /// False when that is not possible or not safe — the file no longer ends with exactly those bytes
    /// (another writer appended, or someone truncated it) or a call failed — and then no retry may follow.
    func rewind(written: Int64) -> Bool {
        guard let start else { return false }
        var info = stat()
        let (expectedEnd, overflow) = start.addingReportingOverflow(written)
        guard !overflow, fstat(fd.rawValue, &info) == 0, Int64(info.st_size) == expectedEnd else { return false }
        return ftruncate(fd.rawValue, off_t(start)) == 0 && lseek(fd.rawValue, off_t(start), SEEK_SET) == off_t(start)
    }
}
