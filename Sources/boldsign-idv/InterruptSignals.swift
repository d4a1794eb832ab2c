import ArgumentParser
import Dispatch
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Synchronization

/// SIGINT (Ctrl-C) and SIGTERM end a command the way its user means: the work in flight is cancelled —
/// temporary files removed, every destination complete or untouched — and the process exits with the
/// shell's convention for a signal, 128 + its number (130, 143).
enum InterruptSignals {
    /// Runs `body` as a task that either signal cancels; throws the signal's exit code if one came.
    static func run<Result: Sendable>(_ body: @escaping @Sendable () async throws -> Result) async throws -> Result {
        let received = Atomic<Int32>(0)
        let task = Task { try await body() }
        // Ignored first, so that the default action (an immediate exit, files left behind) never runs;
        // Dispatch still sees them.
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                _ = received.compareExchange(expected: 0, desired: number, ordering: .relaxed)
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { for source in sources { source.cancel() } }
        let result = await task.result
        let number = received.load(ordering: .relaxed)
        if number != 0 {
            Console.error("boldsign-idv: interrupted; nothing partial was left behind\n")
            throw ExitCode(128 + number)
        }
        return try result.get()
    }
}
