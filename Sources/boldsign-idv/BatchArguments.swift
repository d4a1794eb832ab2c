import ArgumentParser
import BatchManifest
import BoldSignIDV
import SystemPackage

/// What `boldsign-idv batch` was asked to do, as ``BatchCommand`` read it.
struct BatchArguments: Equatable, Sendable {
    var global = GlobalSettings()
    var manifest: String
    var outputDir: String
    var concurrency = 4
    var reportFile: String?
    var overwrite = false

    /// The rule `batch` adds to the global options' (which ``GlobalOptions`` checks itself).
    func validate() throws {
        guard (1...64).contains(concurrency) else { throw ValidationError("--concurrency must be 1...64") }
    }

    /// Downloads every item, prints the summary, and throws the exit code of a failure.
    func run() async throws {
        let directory = FilePath(outputDir)
        // Checked whole first, so that a bad line stops the batch before anything is sent; then read again
        // item by item as the batch goes, so that memory does not grow with the manifest.
        let manifest: Manifest.Checked
        do {
            manifest = try Manifest.check(self.manifest, outputDirectory: directory)
        } catch {
            throw CommandRunner.fail(.invalidInput, "invalid manifest: \(error)", global: global)
        }
        try CommandRunner.createDirectories(manifest.directories, root: directory, global: global)
        // A run killed earlier (of this version without O_TMPFILE, or of an earlier one) may have left temporary files.
        for outputs in manifest.directories.union([directory]) { _ = try? BoldSignClient.removeAbandonedTemporaryFiles(in: outputs) }
        let items = manifest.items
        let report = try reportFile.map { try ReportFileWriter(path: $0) }
        let quiet = global.quiet
        let progress = ProgressDisplay(enabled: !quiet && !global.json, total: manifest.count)
        try await CommandRunner.run(global: global, concurrency: concurrency) { client in
            let last = await client.downloadBatch(items, options: .init(concurrency: concurrency, replaceExisting: overwrite)) { outcome in
                report?.write(outcome)
                progress.update(outcome.progress)
                if case .failed(let error) = outcome.result, !quiet {
                    progress.message("\(outcome.item.destination): \(error)")
                }
            }
            progress.finish()
            report?.close()
            if let problem = items.problem.value { throw CLIError(.invalidInput, "invalid manifest: \(problem)") }
            let summary: [String: JSON] = [
                "status": last.failed == 0 ? "ok" : "partial", "items": JSON(manifest.count), "downloaded": JSON(last.downloaded),
                "skipped": JSON(last.skipped), "failed": JSON(last.failed), "bytes": JSON(last.bytes),
            ]
            let text = "\(manifest.count) items: \(last.downloaded) downloaded, \(last.skipped) skipped, \(last.failed) failed, \(last.bytes) bytes"
            return (summary, text, last.failed == 0 ? .success : .partialFailure)
        }
    }
}
