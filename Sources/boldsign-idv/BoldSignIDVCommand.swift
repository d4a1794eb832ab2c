import ArgumentParser

@main
struct BoldSignIDVCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "boldsign-idv",
        abstract: "Download BoldSign identity-verification images.",
        discussion: """
            Credentials come from BOLDSIGN_API_KEY or BOLDSIGN_ACCESS_TOKEN, or --api-key-file; never from an argument. \
            BOLDSIGN_BASE_URL overrides the region.

            \(ExitStatus.helpText)
            """,
        subcommands: [ImageCommand.self, ReportCommand.self, FetchAllCommand.self, BatchCommand.self]
    )

    /// Runs a plain `image` or `batch` invocation without swift-argument-parser (see ``FastPath``),
    /// anything else through it.
    static func main() async {
        let arguments = Array(CommandLine.arguments.dropFirst())
        do {
            if let image = FastPath.image.arguments(from: arguments) {
                try await image.run()
            } else if let batch = FastPath.batch.arguments(from: arguments) {
                try await batch.run()
            } else {
                await main(nil)
            }
        } catch {
            exit(withError: error)
        }
    }
}
