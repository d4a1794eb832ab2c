import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Runs programs for tests: the curl CLI, sha256sum, our own executables.
public enum ChildProcess {
    /// What a finished process left behind.
    public struct Output: Sendable {
        /// The exit status (or 128 + signal number when it was killed).
        public var status: Int32
        /// Everything written to stdout.
        public var stdout: Data
        /// Everything written to stderr, as text.
        public var stderr: String

        /// stdout as text.
        public var text: String { String(decoding: stdout, as: UTF8.self) }
    }

    /// Runs `executable` with `arguments` to completion; stdout and stderr go through temporary files so
    /// that neither can fill a pipe and stall the child.
    public static func run(
        _ executable: String, _ arguments: [String], environment: [String: String]? = nil, stdin: String? = nil
    ) async throws -> Output {
        let directory = try TemporaryDirectory()
        func open(_ name: String, _ flags: Int32) throws -> Int32 {
            let fd = Glibc.open(directory.path + "/" + name, flags | O_CLOEXEC, 0o600)
            guard fd >= 0 else { throw POSIXError(POSIXErrorCode(rawValue: errno) ?? .EIO) }
            return fd
        }
        if let stdin { try Data(stdin.utf8).write(to: URL(fileURLWithPath: directory.path + "/stdin")) }
        let out = try open("stdout", O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(out) }
        let err = try open("stderr", O_WRONLY | O_CREAT | O_TRUNC)
        defer { close(err) }
        let input = try stdin.map { _ in try open("stdin", O_RDONLY) }
        defer { if let input { close(input) } }
        let child = try SpawnedProcess(executable, arguments, environment: environment,
                                       stdin: input.map { .descriptor($0) } ?? .null, stdout: .descriptor(out), stderr: .descriptor(err))
        let termination = await child.exit()
        return Output(
            status: termination.status,
            stdout: try Data(contentsOf: URL(fileURLWithPath: directory.path + "/stdout")),
            stderr: String(decoding: try Data(contentsOf: URL(fileURLWithPath: directory.path + "/stderr")), as: UTF8.self)
        )
    }

    /// Runs a shell pipeline with `/bin/sh -c`.
    public static func shell(_ command: String, environment: [String: String]? = nil) async throws -> Output {
        try await run("/bin/sh", ["-c", command], environment: environment)
    }

    /// The SHA-256 of a file, as lowercase hex, computed by `sha256sum`.
    public static func sha256(ofFile path: String) async throws -> String {
        let output = try await run("/usr/bin/sha256sum", [path])
        return String(output.text.prefix(64))
    }
}

/// A directory removed when the value is deallocated.
public final class TemporaryDirectory: Sendable {
    /// The directory's path.
    public let path: String

    /// Creates a fresh directory under the system's temporary directory.
    public init() throws {
        var template = Array((NSTemporaryDirectory() + "/boldsign-test-XXXXXX").utf8CString)
        let created = template.withUnsafeMutableBufferPointer { buffer in
            buffer.baseAddress.flatMap { mkdtemp($0) }.map { String(cString: $0) }
        }
        guard let created else { throw POSIXError(.init(rawValue: errno) ?? .EIO) }
        path = created
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}

/// Where `swift build` put this package's executables, and the committed test certificates.
public enum TestPaths {
    /// The build products directory (the one holding the test bundle).
    public static var products: String {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var directory = executable.deletingLastPathComponent()
        // The XCTest bundle on Linux is a plain executable; on other layouts walk up out of `.xctest`.
        while directory.pathExtension == "xctest" || directory.lastPathComponent == "MacOS" || directory.lastPathComponent == "Contents" {
            directory.deleteLastPathComponent()
        }
        return directory.path
    }

    /// The path of one of this package's built executables.
    public static func product(_ name: String) -> String { products + "/" + name }

    /// The package's root directory.
    public static var packageRoot: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }

    /// `Tests/Certificates`.
    public static var certificates: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Certificates").path
    }
}

/// Memory figures of a running process, from `/proc/PID/status`.
public enum ProcessMemory {
    /// The peak resident set size (VmHWM) in bytes, or nil when the process is gone.
    public static func peakRSS(pid: Int32) -> Int? { field("VmHWM", pid: pid) }
    /// The current resident set size (VmRSS) in bytes.
    public static func currentRSS(pid: Int32) -> Int? { field("VmRSS", pid: pid) }

    private static func field(_ name: String, pid: Int32) -> Int? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8) else { return nil }
        for line in status.split(separator: "\n") where line.hasPrefix(name + ":") {
            let digits = line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first
            return digits.flatMap { Int($0) }.map { $0 * 1024 }
        }
        return nil
    }
}
