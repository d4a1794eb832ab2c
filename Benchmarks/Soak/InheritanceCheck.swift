import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Spawns a child while transfers are in flight and lists what it inherited.
///
/// It uses plain `posix_spawn`, without the close-the-rest file actions that Foundation's `Process`
/// adds, so only close-on-exec keeps the client's sockets and files out of the child. It runs here,
/// in a process of its own, because a test-runner process is full of other tests' descriptors.
enum InheritanceCheck {
    /// Descriptors (3 and up) that a child would inherit now: open and not close-on-exec.
    static func inheritableDescriptors() -> Set<Int32> {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return Set(names.compactMap(Int32.init).filter { $0 > 2 && fcntl($0, F_GETFD) >= 0 && fcntl($0, F_GETFD) & FD_CLOEXEC == 0 })
    }

    /// The `fd -> target` lines of a spawned `/bin/ls -l /proc/self/fd/`, without stdio and ls's own directory.
    static func descriptorsOfASpawnedChild(outputIn directory: String) throws -> [(fd: Int32, target: String)] {
        let outputPath = directory + "/spawned-child-fds"
        defer { unlink(outputPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, outputPath, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let arguments = ["/bin/ls", "-l", "/proc/self/fd/"]
        var argv = arguments.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let spawned = posix_spawn(&pid, "/bin/ls", &actions, nil, &argv, environ)
        guard spawned == 0 else { throw SoakError("posix_spawn failed: \(spawned)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        let listing = try String(contentsOfFile: outputPath, encoding: .utf8)
        return listing.split(separator: "\n").compactMap { line in
            let parts = line.components(separatedBy: " -> ")
            guard parts.count == 2, let fd = parts[0].split(separator: " ").last.flatMap({ Int32($0) }), fd > 2,
                  !parts[1].hasPrefix("/proc/") else { return nil }
            return (fd, parts[1])
        }
    }
}
