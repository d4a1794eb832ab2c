import ArgumentParser
import Dispatch

/// The process entry point: runs ``BoldSignIDVCommand`` on the global executor while the main thread waits.
///
/// Not an async `main`: Swift parks an async main's thread in `dispatch_main()`, whose `pthread_exit`
/// unwinds the main thread's stack, and the unwinder's look-ups in the binary's unwind tables made
/// ~0.4 MiB of them resident — a tenth of what one download maps of the binary.
@main
enum BoldSignIDVMain {
    static func main() {
        let finished = DispatchSemaphore(value: 0)
        // Detached: main() is on the main actor, whose queue the blocked main thread would never drain.
        Task.detached {
            await BoldSignIDVCommand.run()
            finished.signal()
        }
        finished.wait()
    }
}

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
    static func run() async {
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
