extension Duration {
    /// The longest duration the client computes with: about 31 years. A value from a server or a caller
    /// beyond it is clamped here rather than trapping in an integer conversion.
    static let longestComputed = Duration.seconds(1_000_000_000)

    /// The duration in seconds, as a Double.
    package var seconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// Whole milliseconds, rounded down, at least 1 (and at most `Int64.max`).
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1000)
        guard !overflow else { return seconds > 0 ? .max : 1 }
        let (sum, overflowed) = whole.addingReportingOverflow(attoseconds / 1_000_000_000_000_000)
        return overflowed ? .max : max(1, sum)
    }

    /// Whole nanoseconds, saturating at `Int64.max` (about 292 years), for metrics.
    var saturatingNanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (whole, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        guard !overflow else { return seconds > 0 ? .max : .min }
        let (sum, overflowed) = whole.addingReportingOverflow(attoseconds / 1_000_000_000)
        return overflowed ? (seconds > 0 ? .max : .min) : sum
    }

    /// A duration of `value` seconds, to the millisecond, rounded as `rule` says; clamped to
    /// ±``longestComputed``, and zero for NaN, so that no number — a server's header, a clock
    /// difference — can trap.
    package static func seconds(_ value: Double, rounding rule: FloatingPointRoundingRule = .toNearestOrAwayFromZero) -> Duration {
        guard !value.isNaN else { return .zero }
        let limit = longestComputed.seconds
        let clamped = min(max(value, -limit), limit)
        return .milliseconds(Int64((clamped * 1000).rounded(rule))) // checked: |clamped| * 1000 ≤ 1e12, far inside Int64
    }

    /// Whole seconds, rounded up, for messages ("wait 3 s").
    var wholeSecondsRoundedUp: Int64 {
        let (seconds, attoseconds) = components
        return attoseconds > 0 && seconds < .max ? seconds + 1 : seconds
    }
}
