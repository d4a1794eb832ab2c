#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// An ``AtomicFileDelivery`` under way: its directory open and its temporary file created, open for the
/// image. End it with exactly one of ``commit(as:)`` or ``abandon()``, which close both descriptors.
struct PendingDelivery: Sendable {
    /// The directory, owned by the delivery.
    let directory: OutputDirectory
    /// The destination's name in ``directory`` (or, when only the image names it, the name the
    /// temporary file is called after).
    let name: String
    /// The temporary file's name in ``directory``.
    let temporary: String
    /// Open for writing on the temporary file, at offset 0.
    let file: FileDescriptor
    let replaceExisting: Bool

    /// Begins a delivery to `destination`; unless `replaceExisting`, anything already there is
    /// ``BoldSignError/Kind/destinationExists`` (checked again, atomically, by ``commit(as:)``).
    init(to destination: FilePath, replaceExisting: Bool) throws {
        let (directory, name) = try Self.open(destination)
        if !replaceExisting, directory.entry(name) != nil {
            directory.close()
            throw BoldSignError(.destinationExists, "\(destination) exists; pass replaceExisting: true to replace it", errno: .fileExists)
        }
        try self.init(in: directory, name: name, replaceExisting: replaceExisting)
    }

    /// Begins a delivery to `destination` that does not replace, or returns nil when a regular file is
    /// already there. Anything else there (a symlink, a directory) is ``BoldSignError/Kind/destinationExists``.
    static func unlessPresent(to destination: FilePath) throws -> PendingDelivery? {
        let (directory, name) = try open(destination)
        switch directory.entry(name) {
        case nil:
            return try PendingDelivery(in: directory, name: name, replaceExisting: false)
        case .regularFile?:
            directory.close()
            return nil
        case .other?:
            directory.close()
            throw BoldSignError(.destinationExists, "\(destination) exists and is not a regular file", errno: .fileExists)
        }
    }

    /// Begins a batch item's delivery: with `skipExisting` (and not `replaceExisting`) nil when a regular
    /// file is already at `destination`.
    static func forBatch(to destination: FilePath, replaceExisting: Bool, skipExisting: Bool) throws -> PendingDelivery? {
        guard skipExisting, !replaceExisting else { return try PendingDelivery(to: destination, replaceExisting: replaceExisting) }
        return try unlessPresent(to: destination)
    }

    /// Begins a delivery in `directory`, which it takes over (and closes when this throws).
    init(in directory: OutputDirectory, name: String, replaceExisting: Bool) throws {
        do {
            (temporary, file) = try AtomicFileDelivery.createTemporary(in: directory, for: name)
        } catch {
            directory.close()
            throw error
        }
        self.directory = directory
        self.name = name
        self.replaceExisting = replaceExisting
    }

    /// The opened directory of `destination` and the file's name in it.
    private static func open(_ destination: FilePath) throws -> (OutputDirectory, String) {
        guard let name = destination.lastComponent, name.string != "..", name.string != "." else {
            throw BoldSignError(.invalidRequest, "the destination \(destination) names no file", field: "destination")
        }
        return (try OutputDirectory(destination.removingLastComponent()), name.string)
    }

    /// Syncs the temporary file and moves it into place as `destination` (renamed over an existing file
    /// when replacing, else linked, which fails if the destination appeared meanwhile). On failure the
    /// temporary file is removed and the destination is untouched.
    func commit(as destination: String) throws(BoldSignError) {
        defer { directory.close() }
        do throws(BoldSignError) {
            try syncFile()
        } catch {
            try? file.close()
            directory.remove(temporary)
            throw error
        }
        do throws(BoldSignError) {
            try closeFile()
            try moveIntoPlace(destination)
        } catch {
            directory.remove(temporary)
            throw error
        }
        directory.sync()
    }

    /// Closes and removes the temporary file.
    func abandon() {
        try? file.close()
        directory.remove(temporary)
        directory.close()
    }

    private func moveIntoPlace(_ destination: String) throws(BoldSignError) {
        let fd = directory.descriptor.rawValue
        if replaceExisting {
            guard renameat(fd, temporary, fd, destination) == 0 else {
                let error = Errno(rawValue: errno)
                throw BoldSignError(.outputFailed, "cannot move the image into \(directory.path.appending(destination)): \(error)", errno: error)
            }
            return
        }
        // link(2) never replaces: it fails with EEXIST if the destination appeared since the check.
        guard linkat(fd, temporary, fd, destination, 0) == 0 else {
            let error = Errno(rawValue: errno)
            if error == .fileExists {
                throw BoldSignError(.destinationExists, "\(directory.path.appending(destination)) appeared during the download; it was left as it was",
                                    errno: error)
            }
            throw BoldSignError(.outputFailed, "cannot move the image into \(directory.path.appending(destination)): \(error)", errno: error)
        }
        directory.remove(temporary)
    }

    /// `close(2)` reports a write-back error of some file systems (NFS) only here.
    private func closeFile() throws(BoldSignError) {
        do {
            try file.close()
        } catch {
            let code = (error as? Errno) ?? .ioError
            throw BoldSignError(.outputFailed, "cannot close the image in \(directory.path): \(code)", errno: code)
        }
    }

    private func syncFile() throws(BoldSignError) {
        while fsync(file.rawValue) != 0 {
            let error = Errno(rawValue: errno)
            guard error == .interrupted else {
                throw BoldSignError(.outputFailed, "cannot sync the image in \(directory.path) to disk: \(error)", errno: error)
            }
        }
    }
}
