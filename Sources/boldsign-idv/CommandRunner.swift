import ArgumentParser
import BoldSignIDV
import Foundation
import Logging

/// Runs a command body with a client, and turns its outcome into output and an exit status.
enum CommandRunner {
    static func run(
        global: GlobalOptions,
        _ body: (BoldSignClient) async throws -> (json: [String: Any], text: String)
    ) async throws {
        do {
            let configuration = try global.configuration()
            var logger = Logger(label: "boldsign-idv") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = global.verbose ? .debug : .warning
            let (json, text) = try await withBoldSignClient(configuration: configuration, logger: logger) { client in
                let outcome = try await body(client)
                return (SendableJSON(outcome.json), outcome.text)
            }
            if global.json {
                printJSON(json.value)
            } else if !global.quiet {
                FileHandle.standardError.write(Data((text + "\n").utf8))
            }
        } catch let error as BoldSignError {
            throw fail(ExitStatus(for: error), "\(error)", global: global)
        } catch let error as CLIError {
            throw fail(error.status, error.message, global: global)
        }
    }

    private static func fail(_ status: ExitStatus, _ message: String, global: GlobalOptions) -> ExitCode {
        FileHandle.standardError.write(Data("boldsign-idv: \(message)\n".utf8))
        if global.json { printJSON(["status": "error", "exitCode": Int(status.rawValue), "error": message]) }
        return status.exitCode
    }

    static func printJSON(_ object: [String: Any]) {
        guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
        FileHandle.standardOutput.write(data + Data("\n".utf8))
    }
}

/// A JSON object handed out of the client's scope; built and read on one task.
struct SendableJSON: @unchecked Sendable {
    let value: [String: Any]
    init(_ value: [String: Any]) { self.value = value }
}
