import ArgumentParser

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
    var concurrency: Int = BatchArguments(manifest: "", outputDir: "").concurrency

    @Option(help: "Write one JSON line per item here (status, path, bytes, error).")
    var reportFile: String?

    @Flag(help: "Download again and replace files that exist.")
    var overwrite = false

    var arguments: BatchArguments {
        BatchArguments(global: global.settings, manifest: manifest, outputDir: outputDir, concurrency: concurrency,
                       reportFile: reportFile, overwrite: overwrite)
    }

    func validate() throws { try arguments.validate() }

    func run() async throws {
        try await arguments.run()
    }
}
