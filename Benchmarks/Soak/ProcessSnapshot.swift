import Foundation

/// Open descriptors, threads and resident memory of this process, read from `/proc/self`.
struct ProcessSnapshot: CustomStringConvertible {
    var descriptors: Int
    var threads: Int
    var residentKiB: Int

    init() {
        // The directory listing holds one descriptor of its own while it runs. Foundation's run loops
        // (an epoll, an eventfd and a timerfd each) are left out: one lives as long as the pool thread
        // that used it, and an idle pool thread that exits closes them (`__CFTSDFinalize`), at a moment
        // of the dispatch pool's choosing. The client opens none of those kinds.
        descriptors = Self.descriptorTargets().filter { !Self.runLoopKinds.contains($0) }.count - 1
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> Int {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                .flatMap { line in line.split(whereSeparator: { $0 == " " || $0 == "\t" }).dropFirst().first.flatMap { Int($0) } } ?? -1
        }
        // Dispatch's worker threads (named after their queue: `com.apple.root.default-qos` and the like) are
        // left out likewise: Dispatch adds one when a worker blocks and keeps it (a soak ended with one more
        // than it started with, still there 30 s later). The client names its own threads `boldsign-…`.
        threads = Self.threadNames().filter { !$0.contains("qos") }.count
        residentKiB = field("VmRSS")
    }

    /// The names of this process's threads (`/proc/self/task/*/comm`).
    static func threadNames() -> [String] {
        let tasks = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/task")) ?? []
        return tasks.compactMap { try? String(contentsOfFile: "/proc/self/task/\($0)/comm", encoding: .utf8) }
            .map { $0.trimmingCharacters(in: .whitespacesAndNewlines) }.sorted()
    }

    /// What this process's open descriptors point at (the listing's own included).
    static func descriptorTargets() -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
        return names.map { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/fd/" + $0)) ?? "" }
    }

    private static let runLoopKinds: Set<String> = ["anon_inode:[eventpoll]", "anon_inode:[eventfd]", "anon_inode:[timerfd]"]

    private init(descriptors: Int, threads: Int, residentKiB: Int) {
        self.descriptors = descriptors
        self.threads = threads
        self.residentKiB = residentKiB
    }

    /// The larger of each figure.
    func maxed(with other: ProcessSnapshot) -> ProcessSnapshot {
        ProcessSnapshot(descriptors: max(descriptors, other.descriptors), threads: max(threads, other.threads),
                        residentKiB: max(residentKiB, other.residentKiB))
    }

    var description: String { "\(descriptors) descriptors, \(threads) threads, \(residentKiB) KiB resident" }
}
