#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// `mkdir -p` for output directories: each directory it creates is owner-only (0700, less what the
/// umask removes); existing ones are left as they are.
///
/// Plain `mkdir(2)` rather than `FileManager.createDirectory`: the batch command uses nothing else
/// of `FileManager`, whose code every batch process would otherwise map for this alone.
enum OwnerOnlyDirectory {
    /// Creates `path` and any missing parents.
    static func create(_ path: FilePath) throws(Errno) {
        if makeDirectory(path) { return }
        let error = Errno(rawValue: errno)
        guard error == .noSuchFileOrDirectory else { try acceptExisting(path, error); return }
        let parent = path.removingLastComponent()
        guard !parent.isEmpty, parent != path else { throw error }
        try create(parent)
        if makeDirectory(path) { return }
        // Another process may have made it in between.
        try acceptExisting(path, Errno(rawValue: errno))
    }

    private static func makeDirectory(_ path: FilePath) -> Bool {
        mkdir(path.string, 0o700) == 0
    }

    /// Succeeds when `error` says the path exists and it is a directory (or a link to one).
    private static func acceptExisting(_ path: FilePath, _ error: Errno) throws(Errno) {
        guard error == .fileExists else { throw error }
        var status = stat()
        guard stat(path.string, &status) == 0, status.st_mode & S_IFMT == S_IFDIR else { throw Errno.notDirectory }
    }
}
