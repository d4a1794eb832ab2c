import ArgumentParser

struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Download one identity-verification image.",
        discussion: ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signerOptions: SignerOptions

    @Option(help: "The document id.")
    var documentId: String

    @Option(help: "The image's file id (from the report).")
    var fileId: String

    @Option(name: .shortAndLong, help: "Where to write the image; - for stdout.")
    var output: String

    @Flag(help: "Replace an existing file at --output.")
    var overwrite = false

    var arguments: ImageArguments {
        ImageArguments(global: global.settings, signer: signerOptions.settings, documentId: documentId, fileId: fileId,
                       output: output, overwrite: overwrite)
    }

    func validate() throws { try arguments.validate() }

    func run() async throws {
        try await arguments.run()
    }
}
