import Foundation

/// `boldsign-mock` in a child process, so that its sockets, threads and memory are not counted as ours.
final class MockProcess {
    let baseURL: String
    private let process = Process()

    init(executable: String, fixtures: String) throws {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw SoakError("no boldsign-mock at \(executable); build it first (swift build --product boldsign-mock) or pass --mock")
        }
        let output = Pipe()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = ["--port", "0", "--fixtures", fixtures, "--rate-limit", "0", "--threads", "1"]
        process.standardOutput = output
        process.standardError = FileHandle.standardError
        try process.run()
        // The server prints its base URL on the first line once it listens.
        var line: [UInt8] = []
        while true {
            let byte = output.fileHandleForReading.readData(ofLength: 1)
            guard let first = byte.first else { break }
            if first == UInt8(ascii: "\n") { break }
            line.append(first)
        }
        baseURL = String(decoding: line, as: UTF8.self)
        guard baseURL.hasPrefix("http") else {
            process.terminate()
            throw SoakError("boldsign-mock did not start")
        }
    }

    func stop() {
        guard process.isRunning else { return }
        process.terminate()
        process.waitUntilExit()
    }
}
