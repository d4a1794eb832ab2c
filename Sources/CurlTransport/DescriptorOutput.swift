#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import SystemPackage

/// The caller's descriptor as the transfer thread writes into it: never waiting on a reader.
///
/// A regular file (or a block device, or `/dev/null`) takes every write at disk speed, so it is written
/// as given. A pipe, FIFO or socket may be full for as long as its reader pleases, so it is written without
/// blocking: a socket with `MSG_DONTWAIT`; a pipe or FIFO through its own non-blocking open file description
/// (`/proc/self/fd/N` reopened), because setting `O_NONBLOCK` on the caller's descriptor would change it for
/// every process that shares it. What such a descriptor cannot take now is kept by the transfer, which
/// pauses until the descriptor is writable (``Transfer/consumeBody(_:statusFallback:)``).
struct DescriptorOutput {
    /// How a write may behave.
    enum Mode: Equatable {
        /// `write(2)` until done: the descriptor never waits on a reader.
        case blocking
        /// `send(2)` with `MSG_DONTWAIT | MSG_NOSIGNAL`.
        case socket
        /// `write(2)` on a non-blocking description.
        case nonBlocking
    }

    /// The result of one attempt.
    enum Written {
        /// This many bytes (at least one) were written.
        case bytes(Int)
        /// The descriptor cannot take a byte now.
        case wouldBlock
        /// The write failed so.
        case failed(Errno)
    }

    let descriptor: FileDescriptor
    let mode: Mode
    /// Whether ``descriptor`` was opened here (and so is closed by ``close()``), not the caller's.
    private let owned: Bool

    /// Looks at `descriptor` and picks how to write into it; falls back to blocking writes when a pipe
    /// cannot be reopened (no `/proc`), which is what every write did before.
    init(_ descriptor: FileDescriptor) {
        var status = stat()
        let flags = fcntl(descriptor.rawValue, F_GETFL)
        let kind = fstat(descriptor.rawValue, &status) == 0 ? status.st_mode & S_IFMT : 0
        if kind == S_IFSOCK {
            (self.descriptor, mode, owned) = (descriptor, .socket, false)
        } else if flags >= 0, flags & O_NONBLOCK != 0 {
            (self.descriptor, mode, owned) = (descriptor, .nonBlocking, false)
        } else if kind == S_IFIFO, let reopened = Self.reopenNonBlocking(descriptor) {
            (self.descriptor, mode, owned) = (reopened, .nonBlocking, true)
        } else {
            (self.descriptor, mode, owned) = (descriptor, .blocking, false)
        }
    }

    /// Writes as much of `bytes` as the descriptor takes now; a blocking descriptor takes all or fails.
    func write(_ bytes: UnsafeRawBufferPointer) -> Written {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return .bytes(0) }
        var offset = 0
        while offset < bytes.count {
            let result: Int
            switch mode {
            case .socket:
                result = send(descriptor.rawValue, base + offset, bytes.count - offset, Int32(MSG_DONTWAIT | MSG_NOSIGNAL))
            case .blocking, .nonBlocking:
                result = writeSystemCall(descriptor.rawValue, base + offset, bytes.count - offset)
            }
            if result > 0 {
                offset += result
                if mode != .blocking { return .bytes(offset) }
                continue
            }
            if result == 0 { return offset > 0 ? .bytes(offset) : .failed(.noSpace) }
            let error = Errno(rawValue: errno)
            if error == .interrupted { continue }
            if offset > 0 { return .bytes(offset) }
            if error == .wouldBlock || error == .resourceTemporarilyUnavailable { return .wouldBlock }
            if error == .brokenPipe { SigpipeGuard.discardPending() }
            return .failed(error)
        }
        return .bytes(offset)
    }

    /// Whether the descriptor can take bytes now, or has failed (so that a write reports the error).
    func isReady() -> Bool {
        var entry = pollfd(fd: descriptor.rawValue, events: Int16(POLLOUT), revents: 0)
        return poll(&entry, 1, 0) > 0
    }

    /// Closes the descriptor if it was opened here; the caller's own is never closed.
    func close() {
        if owned { try? descriptor.close() }
    }

    /// A new open file description of the same pipe, non-blocking and close-on-exec.
    private static func reopenNonBlocking(_ descriptor: FileDescriptor) -> FileDescriptor? {
        let raw = open("/proc/self/fd/\(descriptor.rawValue)", O_WRONLY | O_NONBLOCK | O_CLOEXEC)
        return raw >= 0 ? FileDescriptor(rawValue: raw) : nil
    }
}

/// `write(2)`, named apart from ``DescriptorOutput/write(_:)``.
private func writeSystemCall(_ descriptor: Int32, _ base: UnsafeRawPointer, _ count: Int) -> Int {
    write(descriptor, base, count)
}
