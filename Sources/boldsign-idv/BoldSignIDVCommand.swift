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
        subcommands: [ImageCommand.self, ReportCommand.self, FetchAllCommand.self, BatchCommand.self, EmbeddedURLCommand.self]
    )
}
