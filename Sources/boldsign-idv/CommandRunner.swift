import ArgumentParser
import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Logging
import SystemPackage

/// Runs a command body with a client, and turns its outcome into output and an exit status.
enum CommandRunner {
    typealias Outcome = (json: [String: JSON], text: String, status: ExitStatus)

    static func run(
        global: GlobalSettings, concurrency: Int? = nil,
        _ body: @escaping @Sendable (BoldSignClient) async throws -> Outcome
    ) async throws {
        let outcome: SendableOutcome
        do {
            var configuration = try global.configuration()
            if let concurrency {
                configuration.maxConcurrentTransfers = concurrency
                // Parallel transfers share the machine's bandwidth, so large per-transfer buffers buy no
                // speed there and only multiply the memory (the "8 at a time" case of Benchmarks/run.sh).
                if concurrency > 1 { configuration.buffers = .lowMemory }
            }
            var logger = Logger(label: "boldsign-idv") { StreamLogHandler.standardError(label: $0) }
            logger.logLevel = global.verbose ? .debug : .warning
            let settings = (configuration, logger)
            outcome = try await InterruptSignals.run {
                try await withBoldSignClient(configuration: settings.0, logger: settings.1) { client in
                    SendableOutcome(try await body(client))
                }
            }
        } catch let error as BoldSignError {
            throw fail(ExitStatus(for: error), "\(error)", global: global)
        } catch let error as CLIError {
            throw fail(error.status, error.message, global: global)
        }
        var json = outcome.value.json
        json["exitCode"] = JSON(Int(outcome.value.status.rawValue))
        if global.json {
            printJSON(.object(json))
        } else if !global.quiet {
            Console.error(outcome.value.text + "\n")
        }
        if outcome.value.status != .success { throw outcome.value.status.exitCode }
    }

    /// Reports a failure on stderr (and as JSON with `--json`) and returns the exit code to throw.
    static func fail(_ status: ExitStatus, _ message: String, global: GlobalSettings) -> ExitCode {
        Console.error("boldsign-idv: \(message)\n")
        if global.json { printJSON(["status": "error", "exitCode": JSON(Int(status.rawValue)), "error": .string(message)]) }
        return status.exitCode
    }

    static func printJSON(_ value: JSON) {
        Console.out(value.serialized + "\n")
    }

    /// Creates `root` and `directories` below it, owner-only.
    static func createDirectories(_ directories: Set<FilePath>, root: FilePath, global: GlobalSettings) throws {
        for directory in Set([root.string] + directories.map(\.string)).sorted() {
            do {
                try OwnerOnlyDirectory.create(FilePath(directory))
            } catch {
                throw fail(.outputError, "cannot create directory \(directory): \(error)", global: global)
            }
        }
    }
}

/// A command's outcome handed out of the client's scope; built and read on one task.
struct SendableOutcome: Sendable {
    let value: CommandRunner.Outcome
    init(_ value: CommandRunner.Outcome) { self.value = value }
}
