import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// `boldsign-mock` running as a child process, for tests that measure the server's own memory
/// or its behaviour as an executable (signals, exit codes).
public final class MockServerProcess: @unchecked Sendable {
    /// The child process.
    public let process: SpawnedProcess
    /// The base URL the server printed on its first line.
    public let baseURL: String
    /// The read end of the child's stderr; closed by ``stop(signal:)``.
    private let stderrPipe: Int32

    /// The child's pid.
    public var pid: Int32 { process.pid }

    private init(process: SpawnedProcess, baseURL: String, stderrPipe: Int32) {
        self.process = process
        self.baseURL = baseURL
        self.stderrPipe = stderrPipe
    }

    /// Starts `boldsign-mock` with `arguments` (add `--port 0`) and waits for its first line.
    public static func start(_ arguments: [String]) async throws -> MockServerProcess {
        let stdout = try closeOnExecPipe()
        let stderr = try closeOnExecPipe()
        let process: SpawnedProcess
        do {
            defer { close(stdout.write); close(stderr.write) }
            process = try SpawnedProcess(TestPaths.product("boldsign-mock"), arguments,
                                         stdout: .descriptor(stdout.write), stderr: .descriptor(stderr.write))
        } catch {
            close(stdout.read)
            close(stderr.read)
            throw error
        }
        // Read until the first newline, then close the read end: the server prints nothing more to stdout.
        let firstLine = try await onDedicatedThread {
            defer { close(stdout.read) }
            var bytes: [UInt8] = []
            var byte: UInt8 = 0
            while read(stdout.read, &byte, 1) == 1, byte != UInt8(ascii: "\n") { bytes.append(byte) }
            return String(decoding: bytes, as: UTF8.self)
        }
        guard firstLine.hasPrefix("http") else {
            process.send(SIGKILL)
            _ = await process.exit()
            close(stderr.read)
            throw POSIXError(.EINVAL)
        }
        return MockServerProcess(process: process, baseURL: firstLine, stderrPipe: stderr.read)
    }

    /// Sends `signal` and waits for the process to exit; returns its status and stderr.
    public func stop(signal: Int32 = SIGTERM) async -> (status: Int32, stderr: String) {
        process.send(signal)
        let termination = await process.exit()
        let pipe = stderrPipe
        let text = (try? await onDedicatedThread {
            defer { close(pipe) }
            return String(decoding: readToEnd(pipe), as: UTF8.self)
        }) ?? ""
        return (termination.status, text)
    }
}
