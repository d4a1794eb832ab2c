import Foundation

/// Measures the memory of child processes from `/proc`.
///
/// Not `wait4`'s `ru_maxrss`: a child started with `posix_spawn` (a vfork-style clone) inherits the
/// parent's high-water mark until it execs, so a large test process inflates it at random.
public enum PeakMemory {}

extension PeakMemory {
    /// Memory figures of a finished child: the kernel's peak RSS, and peaks of its parts sampled every 5 ms.
    public struct Sampled: Sendable {
        /// Exit status (128 + the signal's number for a child killed by one).
        public var status: Int32
        /// The largest sampled `VmHWM` (the kernel's own peak of the exec'd image, so no spike between samples is missed).
        public var peakRSS: Int
        /// Largest sampled `RssAnon` (heap, stacks, buffers: what grows if a body were held in memory).
        public var peakAnonymous: Int
        /// Largest sampled `RssFile` (shared-library pages: noise that depends on the page cache).
        public var peakFileBacked: Int
    }

    /// Runs `executable`, sampling `/proc/PID/status` until it exits.
    public static func runSampling(_ executable: String, _ arguments: [String], environment: [String: String]) async throws -> Sampled {
        let child = try SpawnedProcess(executable, arguments, environment: environment)
        let pid = child.pid
        var sample = Sampled(status: 0, peakRSS: 0, peakAnonymous: 0, peakFileBacked: 0)
        while child.isRunning {
            if let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) {
                for line in status.split(separator: "\n") {
                    let parts = line.split(separator: " ", omittingEmptySubsequences: true)
                    guard parts.count >= 2, let kib = Int(parts[1]) else { continue }
                    switch parts[0] {
                    case "VmHWM:": sample.peakRSS = max(sample.peakRSS, kib * 1024)
                    case "RssAnon:": sample.peakAnonymous = max(sample.peakAnonymous, kib * 1024)
                    case "RssFile:": sample.peakFileBacked = max(sample.peakFileBacked, kib * 1024)
                    default: break
                    }
                }
            }
            try await Task.sleep(for: .milliseconds(5))
        }
        sample.status = await child.exit().status
        return sample
    }
}
