import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A child process started with `posix_spawn` and reaped with `waitpid`: how the tests start programs.
///
/// Not Foundation's `Process`: on Linux its `run()` lists `/proc/self/fd` and copies every entry's whole
/// 256-byte name field, reading past the end of glibc's directory buffer. With the descriptors a parallel
/// test run holds, that buffer fills to its end, and twice in full runs the read crossed into an unmapped
/// page: SIGSEGV inside `Process.run()`, the whole test process lost. Here the child gets its three
/// standard streams and nothing else (`posix_spawn_file_actions_addclosefrom_np`).
public final class SpawnedProcess: @unchecked Sendable {
    /// Where one of the child's standard streams comes from or goes.
    public enum Stream {
        /// `/dev/null`.
        case null
        /// A descriptor of the caller's, which stays the caller's to close.
        case descriptor(Int32)
    }

    /// How the child ended.
    public enum Termination: Equatable, Sendable {
        case exited(Int32)
        case signalled(Int32)

        /// As a shell reports it: the exit code, or 128 + the signal's number.
        public var status: Int32 {
            switch self {
            case .exited(let code): code
            case .signalled(let signal): 128 + signal
            }
        }
    }

    /// The child's pid.
    public let pid: pid_t
    private let lock = NSLock()
    /// Set once the child is reaped; its pid may be reused from then on, so no signal is sent after.
    private var termination: Termination?

    /// Starts `executable` with `arguments`; `environment` nil inherits this process's.
    public init(_ executable: String, _ arguments: [String], environment: [String: String]? = nil,
                stdin: Stream = .null, stdout: Stream = .null, stderr: Stream = .null) throws {
        guard let closeFrom = Self.addCloseFrom else { throw POSIXError(.ENOSYS) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        for (target, stream) in [(STDIN_FILENO, stdin), (STDOUT_FILENO, stdout), (STDERR_FILENO, stderr)] {
            switch stream {
            case .null: posix_spawn_file_actions_addopen(&actions, target, "/dev/null", target == STDIN_FILENO ? O_RDONLY : O_WRONLY, 0)
            case .descriptor(let fd): posix_spawn_file_actions_adddup2(&actions, fd, target)
            }
        }
        _ = closeFrom(&actions, 3)
        var attributes = posix_spawnattr_t()
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // Its own process group, as Foundation's `Process` does: a signal for the test run is not the child's.
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETPGROUP))

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        let environmentStrings = environment.map { $0.map { strdup("\($0.key)=\($0.value)") } + [nil] }
        defer { for entry in environmentStrings ?? [] { free(entry) } }
        var pid = pid_t()
        let result = launchLock.withLock {
            if let environmentStrings {
                posix_spawn(&pid, executable, &actions, &attributes, argv, environmentStrings)
            } else {
                posix_spawn(&pid, executable, &actions, &attributes, argv, environ)
            }
        }
        guard result == 0 else { throw POSIXError(POSIXErrorCode(rawValue: result) ?? .EIO) }
        self.pid = pid
    }

    /// How the child ended, or nil while it runs; never waits.
    public var terminated: Termination? {
        lock.withLock {
            if termination == nil {
                var status: Int32 = 0
                if waitpid(pid, &status, WNOHANG) == pid {
                    let signal = status & 0x7f
                    termination = signal == 0 ? .exited((status >> 8) & 0xff) : .signalled(signal)
                }
            }
            return termination
        }
    }

    /// Whether the child still runs.
    public var isRunning: Bool { terminated == nil }

    /// Sends `signal`, unless the child was already reaped (its pid may belong to another process by then).
    public func send(_ signal: Int32) {
        lock.withLock { if termination == nil { _ = kill(pid, signal) } }
    }

    /// Waits for the child to end, polling, so that no thread is held meanwhile: at once, then less and
    /// less often (up to every 50 ms), to keep a run with many children from crowding the two pool threads.
    public func exit() async -> Termination {
        var interval = Duration.milliseconds(1)
        while true {
            if let terminated { return terminated }
            try? await Task.sleep(for: interval)
            interval = min(interval * 2, .milliseconds(50))
        }
    }

    /// Waits for the child to end on the calling thread (a `deinit`, a dedicated thread).
    public func waitUntilExit() -> Termination {
        while true {
            if let terminated { return terminated }
            usleep(2_000)
        }
    }

    /// glibc 2.34's `posix_spawn_file_actions_addclosefrom_np`, which Swift's Glibc module leaves out
    /// (glibc declares it only with `_GNU_SOURCE`).
    private typealias AddCloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32
    private static let addCloseFrom: AddCloseFrom? = dlsym(nil, "posix_spawn_file_actions_addclosefrom_np")
        .map { unsafeBitCast($0, to: AddCloseFrom.self) }
}

/// A pipe whose two ends are closed on exec, so that only a child given one of them as a standard
/// stream holds it. (Made under the launch lock: `pipe2`, which would do it at once, is another of the
/// functions Swift's Glibc module leaves out.)
public func closeOnExecPipe() throws -> (read: Int32, write: Int32) {
    var ends: [Int32] = [-1, -1]
    try launchLock.withLock {
        guard pipe(&ends) == 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
    }
    return (ends[0], ends[1])
}

/// Everything `fd` yields until end of file (blocking: call it on a dedicated thread).
public func readToEnd(_ fd: Int32) -> [UInt8] {
    var bytes: [UInt8] = []
    var chunk = [UInt8](repeating: 0, count: 65_536)
    while true {
        let count = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
        if count < 0, errno == EINTR { continue }
        guard count > 0 else { return bytes }
        bytes.append(contentsOf: chunk[0..<count])
    }
}
