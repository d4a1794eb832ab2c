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
    /// The temporary file's name in ``directory``; nil for an anonymous one (``AtomicFileDelivery/createAnonymous(in:)``).
    let temporary: String?
    /// Open for writing on the temporary file, at offset 0.
    let file: FileDescriptor
    let replaceExisting: Bool

    /// Begins a delivery to `destination`; unless `replaceExisting`, anything already there is
    /// ``BoldSignError/Kind/destinationExists`` (checked again, atomically, by ``commit(as:)``).
    init(to destination: FilePath, replaceExisting: Bool) throws {
        let (directory, name) = try Self.open(destination)
        do {
            try Self.refuseUnlessReplaceable(directory.entry(name), replacing: replaceExisting, at: destination.string)
        } catch {
            directory.close()
            throw error
        }
        try self.init(in: directory, name: name, replaceExisting: replaceExisting)
    }

    /// Begins a delivery to `destination` that does not replace, or returns nil when a regular file is
    /// already there. Anything else there (a symlink, a directory) is ``BoldSignError/Kind/destinationExists``.
    static func unlessPresent(to destination: FilePath) throws -> PendingDelivery? {
        let (directory, name) = try open(destination)
        let entry = directory.entry(name)
        if entry == .regularFile {
            directory.close()
            return nil
        }
        do {
            try refuseUnlessReplaceable(entry, replacing: false, at: destination.string)
        } catch {
            directory.close()
            throw error
        }
        return try PendingDelivery(in: directory, name: name, replaceExisting: false)
    }

    /// Throws ``BoldSignError/Kind/destinationExists`` unless a delivery may go where `entry` is: nothing
    /// there, or (when `replacing`) a regular file or a symlink, the link and not its target. Renaming
    /// over a device, FIFO or socket would put a file where it was (`/dev/null` made an ordinary file, for one).
    private static func refuseUnlessReplaceable(_ entry: OutputDirectory.Entry?, replacing: Bool, at destination: String) throws(BoldSignError) {
        switch entry {
        case nil:
            return
        case .regularFile?, .symbolicLink?:
            guard replacing else {
                throw BoldSignError(.destinationExists, "\(destination) exists; pass replaceExisting: true to replace it", errno: .fileExists)
            }
        case .other?:
            throw BoldSignError(.destinationExists, "\(destination) exists and is not a regular file or a symlink, which alone are replaced",
                                errno: .fileExists)
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
        if let anonymous = AtomicFileDelivery.createAnonymous(in: directory) {
            (temporary, file) = (nil, anonymous)
        } else {
            do {
                (temporary, file) = try AtomicFileDelivery.createTemporary(in: directory, for: name)
            } catch {
                directory.close()
                throw error
            }
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
    func commit(as destination: String, durability: Configuration.Durability = .synced) throws(BoldSignError) {
        defer { directory.close() }
        do throws(BoldSignError) {
            if durability == .synced { try syncFile() }
        } catch {
            try? file.close()
            removeTemporary()
            throw error
        }
        guard let temporary else {
            // Linked in while still open; synced above, so a late close error loses nothing.
            defer { try? file.close() }
            try linkAnonymousFile(as: destination)
            if durability == .synced { directory.sync() }
            return
        }
        do throws(BoldSignError) {
            try closeFile()
            try moveIntoPlace(temporary, as: destination)
        } catch {
            removeTemporary()
            throw error
        }
        if durability == .synced { directory.sync() }
    }

    /// Closes the temporary file and removes it, if it has a name.
    func abandon() {
        try? file.close()
        removeTemporary()
        directory.close()
    }

    private func removeTemporary() {
        if let temporary { directory.remove(temporary) }
    }

    private func linkAnonymousFile(as destination: String) throws(BoldSignError) {
        guard replaceExisting else {
            if let error = AtomicFileDelivery.link(anonymous: file, in: directory, as: destination) { throw linkFailure(error, destination) }
            return
        }
        // A rename is the only atomic replacement, and it needs a name to rename from.
        for _ in 0..<16 {
            let named = AtomicFileDelivery.temporaryName(for: destination)
            if let error = AtomicFileDelivery.link(anonymous: file, in: directory, as: named) {
                if error == .fileExists { continue }
                throw linkFailure(error, destination)
            }
            do throws(BoldSignError) {
                try moveIntoPlace(named, as: destination)
            } catch {
                directory.remove(named)
                throw error
            }
            return
        }
        throw BoldSignError(.outputFailed, "cannot create a unique temporary name in \(directory.path)", errno: .fileExists)
    }

    /// Moves the named temporary file `temporary` to `destination`: renamed over it when replacing, else linked.
    private func moveIntoPlace(_ temporary: String, as destination: String) throws(BoldSignError) {
        let fd = directory.descriptor.rawValue
        if replaceExisting {
            // Checked before the download too; a FIFO or device may have appeared since.
            try Self.refuseUnlessReplaceable(directory.entry(destination), replacing: true, at: directory.path.appending(destination).string)
            guard renameat(fd, temporary, fd, destination) == 0 else { throw linkFailure(Errno(rawValue: errno), destination) }
            return
        }
        // link(2) never replaces: it fails with EEXIST if the destination appeared since the check.
        guard linkat(fd, temporary, fd, destination, 0) == 0 else { throw linkFailure(Errno(rawValue: errno), destination) }
        directory.remove(temporary)
    }

    private func linkFailure(_ error: Errno, _ destination: String) -> BoldSignError {
        if error == .fileExists {
            return BoldSignError(.destinationExists, "\(directory.path.appending(destination)) appeared during the download; it was left as it was",
                                 errno: error)
        }
        return BoldSignError(.outputFailed, "cannot move the image into \(directory.path.appending(destination)): \(error)", errno: error)
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
