import BoldSignIDV
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A one-line progress bar on stderr — only when stderr is a terminal, so logs and pipes stay clean.
final class ProgressDisplay: @unchecked Sendable {
    private let enabled: Bool
    private let total: Int
    private let started = ContinuousClock.now
    private var lastDraw = ContinuousClock.now - .seconds(1)

    init(enabled: Bool, total: Int) {
        self.enabled = enabled && isatty(STDERR_FILENO) == 1
        self.total = total
    }

    func update(_ progress: BatchProgress) {
        guard enabled, ContinuousClock.now - lastDraw >= .milliseconds(100) || progress.completed == total else { return }
        lastDraw = ContinuousClock.now
        let elapsed = max(0.001, (ContinuousClock.now - started).seconds)
        let rate = Double(progress.bytes) / elapsed
        let done = Double(progress.completed) / Double(max(1, total))
        let width = 24
        let filled = Int(done * Double(width))
        let eta = progress.completed > 0 ? elapsed / Double(progress.completed) * Double(total - progress.completed) : 0
        let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
        Console.error("\r[\(bar)] \(progress.completed)/\(total) items  \(Self.bytes(Double(progress.bytes)))  \(Self.bytes(rate))/s  ETA \(Int(eta))s ")
    }

    func message(_ text: String) {
        let prefix = enabled ? "\r\u{1B}[K" : ""
        Console.error(prefix + text + "\n")
    }

    func finish() {
        if enabled { Console.error("\n") }
    }

    private static func bytes(_ value: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = value
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        guard unit > 0 else { return "\(Int(value.rounded())) \(units[unit])" }
        let tenths = Int((value * 10).rounded())
        return "\(tenths / 10).\(tenths % 10) \(units[unit])"
    }
}

extension Duration {
    var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
