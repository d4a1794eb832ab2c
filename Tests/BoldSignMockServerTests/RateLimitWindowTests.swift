@testable import BoldSignMockServer
import Testing

@Suite struct RateLimitWindowTests {
    @Test func allowsTheLimitThenRefusesUntilTheWindowResets() throws {
        var windows = RateLimitWindows()
        let policy = RateLimitPolicy(limit: 3, windowSeconds: 10)
        let decisions = (0..<4).compactMap { _ in windows.consume(credential: "a", policy: policy, now: 1_000_003.5) }
        #expect(decisions.map(\.allowed) == [true, true, true, false])
        #expect(decisions.map(\.remaining) == [2, 1, 0, 0])
        #expect(decisions.allSatisfy { $0.reset == 1_000_010 && $0.limit == 3 })
        #expect(decisions[3].retryAfter == 7)
        let consumed = windows.consume(credential: "a", policy: policy, now: 1_000_010.0)
        let next = try #require(consumed)
        #expect(next.allowed && next.remaining == 2 && next.reset == 1_000_020)
    }

    @Test func credentialsHaveSeparateWindows() {
        var windows = RateLimitWindows()
        let policy = RateLimitPolicy(limit: 1, windowSeconds: 60)
        let first = windows.consume(credential: "a", policy: policy, now: 5)
        let second = windows.consume(credential: "a", policy: policy, now: 5)
        let other = windows.consume(credential: "b", policy: policy, now: 5)
        #expect(first?.allowed == true)
        #expect(second?.allowed == false)
        #expect(other?.allowed == true)
    }

    @Test func zeroLimitMeansNoLimitAndNoHeaders() {
        var windows = RateLimitWindows()
        let decision = windows.consume(credential: "a", policy: .off, now: 5)
        #expect(decision == nil)
    }
}
