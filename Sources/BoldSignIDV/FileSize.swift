#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// `lstat(2)` for the one fact the workflows need.
enum FileSize {
    /// The size of the regular file at `path`, or nil when there is none (a symlink does not count).
    static func of(_ path: FilePath) -> Int64? {
        var info = stat()
        guard lstat(path.string, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else { return nil }
        return Int64(info.st_size)
    }
}
