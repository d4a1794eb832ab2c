import Foundation

/// Runs a program and reports its peak resident set size as the kernel counted it (`wait4`'s `ru_maxrss`).
public enum PeakMemory {
    /// The exit status and peak RSS in bytes of `executable` run to completion; stdout and stderr go to /dev/null.
    public static func run(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> (status: Int32, peakRSS: Int) {
        try await Task.detached {
            var actions = posix_spawn_file_actions_t()
            posix_spawn_file_actions_init(&actions)
            defer { posix_spawn_file_actions_destroy(&actions) }
            posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
            posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
            let argv = ([executable] + arguments).map { strdup($0) } + [nil]
            let envp = environment.map { strdup("\($0.key)=\($0.value)") } + [nil]
            defer {
                argv.forEach { free($0) }
                envp.forEach { free($0) }
            }
            var pid: pid_t = 0
            let spawned = posix_spawn(&pid, executable, &actions, nil, argv, envp)
            guard spawned == 0 else { throw POSIXError(.init(rawValue: spawned) ?? .EINVAL) }
            var status: Int32 = 0
            var usage = rusage()
            while wait4(pid, &status, 0, &usage) < 0 {
                guard errno == EINTR else { throw POSIXError(.init(rawValue: errno) ?? .ECHILD) }
            }
            let exitStatus = (status & 0x7F) == 0 ? (status >> 8) & 0xFF : 128 + (status & 0x7F)
            return (exitStatus, usage.ru_maxrss * 1024)
        }.value
    }
}
