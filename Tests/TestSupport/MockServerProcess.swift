import Foundation

/// `boldsign-mock` running as a child process, for tests that measure the server's own memory
/// or its behaviour as an executable (signals, exit codes).
public final class MockServerProcess: @unchecked Sendable {
    /// The child process.
    public let process: Process
    /// The base URL the server printed on its first line.
    public let baseURL: String
    private let stderrPipe: Pipe

    /// The child's pid.
    public var pid: Int32 { process.processIdentifier }

    private init(process: Process, baseURL: String, stderrPipe: Pipe) {
        self.process = process
        self.baseURL = baseURL
        self.stderrPipe = stderrPipe
    }

    /// Starts `boldsign-mock` with `arguments` (add `--port 0`) and waits for its first line.
    public static func start(_ arguments: [String]) async throws -> MockServerProcess {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestPaths.product("boldsign-mock"))
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try launch(process)
        let firstLine = try await onDedicatedThread {
            var bytes: [UInt8] = []
            while true {
                let chunk = stdout.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                bytes.append(contentsOf: chunk)
                if bytes.contains(UInt8(ascii: "\n")) { break }
            }
            return String(decoding: bytes.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self)
        }
        guard firstLine.hasPrefix("http") else {
            process.terminate()
            throw POSIXError(.EINVAL)
        }
        return MockServerProcess(process: process, baseURL: firstLine, stderrPipe: stderr)
    }

    /// Sends `signal` and waits for the process to exit; returns its status and stderr.
    public func stop(signal: Int32 = SIGTERM) async -> (status: Int32, stderr: String) {
        kill(process.processIdentifier, signal)
        let process = self.process
        let pipe = stderrPipe
        let stopped = try? await onDedicatedThread {
            process.waitUntilExit()
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            return (process.terminationStatus, text)
        }
        return stopped ?? (-1, "")
    }
}
