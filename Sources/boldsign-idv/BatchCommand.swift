import ArgumentParser
import BatchManifest
import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

struct BatchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "batch",
        abstract: "Download every image a manifest lists (JSON Lines or CSV); resumable.",
        discussion: """
            Manifest fields: documentId, emailId or countryCode + phoneNumber, order, fileId, onBehalfOf, and an optional \
            output (a relative path under --output-dir; default <documentId>_<fileId>). Files that exist are complete and \
            are skipped, so re-running an interrupted batch resumes it.

            \(ExitStatus.helpText)
            """)

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The manifest file.")
    var manifest: String

    @Option(help: "Directory for the images (created if missing).")
    var outputDir: String

    @Option(help: "Downloads at once. Above 1, each transfer buffers 128 KiB instead of 768 KiB.")
    var concurrency: Int = 4

    @Option(help: "Write one JSON line per item here (status, path, bytes, error).")
    var reportFile: String?

    @Flag(help: "Download again and replace files that exist.")
    var overwrite = false

    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1...64") }
    }

    func run() async throws {
        let directory = FilePath(outputDir)
        let items: [BatchItem]
        do {
            items = try Manifest.load(manifest, outputDirectory: directory)
        } catch {
            throw CommandRunner.fail(.invalidInput, "invalid manifest: \(error)", global: global.settings)
        }
        try CommandRunner.createDirectories(for: items.map(\.destination), root: directory, global: global.settings)
        let report = try reportFile.map { try ReportFileWriter(path: $0) }
        let quiet = global.quiet
        let progress = ProgressDisplay(enabled: !quiet && !global.json, total: items.count)
        try await CommandRunner.run(global: global.settings, concurrency: concurrency) { client in
            var last = BatchProgress()
            for await outcome in client.downloadBatch(items, options: .init(concurrency: concurrency, replaceExisting: overwrite)) {
                last = outcome.progress
                report?.write(outcome)
                progress.update(outcome.progress)
                if case .failed(let error) = outcome.result, !quiet {
                    progress.message("\(outcome.item.destination): \(error)")
                }
            }
            progress.finish()
            report?.close()
            let summary: [String: JSON] = [
                "status": last.failed == 0 ? "ok" : "partial", "items": JSON(items.count), "downloaded": JSON(last.downloaded),
                "skipped": JSON(last.skipped), "failed": JSON(last.failed), "bytes": JSON(last.bytes),
            ]
            let text = "\(items.count) items: \(last.downloaded) downloaded, \(last.skipped) skipped, \(last.failed) failed, \(last.bytes) bytes"
            return (summary, text, last.failed == 0 ? .success : .partialFailure)
        }
    }
}

/// `--report-file`: one JSON object per line and item.
final class ReportFileWriter: Sendable {
    private let fd: FileDescriptor

    init(path: String) throws {
        do {
            fd = try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate, .noFollow, .closeOnExec],
                                         permissions: [.ownerRead, .ownerWrite])
        } catch {
            throw CLIError(.outputError, "cannot write the report file \(path): \(error)")
        }
    }

    func write(_ outcome: BatchOutcome) {
        var line: [String: JSON] = ["index": JSON(outcome.index), "path": .string(outcome.item.destination.string)]
        switch outcome.result {
        case .downloaded(let download):
            line["status"] = "downloaded"
            line["bytes"] = JSON(download.bytesWritten)
            line["format"] = .string(download.format.rawValue)
        case .skipped:
            line["status"] = "skipped"
        case .failed(let error):
            line["status"] = "failed"
            line["error"] = .string("\(error)")
            line["exitCode"] = JSON(Int(ExitStatus(for: error).rawValue))
            if let status = error.status { line["httpStatus"] = JSON(status) }
        }
        _ = try? fd.writeAll(Array((JSON.object(line).serialized + "\n").utf8))
    }

    func close() { try? fd.close() }
}
