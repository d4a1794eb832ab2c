import ArgumentParser
import BoldSignIDV

struct EmbeddedURLCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "embedded-url",
        abstract: "Print a link that embeds manual identity verification, for a signer whose verification failed.",
        discussion: "BoldSign answers 400 (exit 65) for a signer whose verification did not fail.\n\n" + ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signerOptions: SignerOptions

    @Option(help: "The document id.")
    var documentId: String

    @Option(help: "Where to send the sender after the review (an absolute https:// URL).")
    var redirectUrl: String?

    func run() async throws {
        try await CommandRunner.run(global: global.settings) { client in
            let request = EmbeddedVerificationRequest(documentID: documentId, signer: signerOptions.signer, order: signerOptions.order,
                                                      redirectURL: redirectUrl, onBehalfOf: signerOptions.onBehalfOf)
            let url = try await client.createEmbeddedVerificationURL(request)
            if !global.json {
                Console.out(url.absoluteString + "\n")
            }
            return (["status": "ok", "url": .string(url.absoluteString)], "embedded verification URL created", .success)
        }
    }
}
