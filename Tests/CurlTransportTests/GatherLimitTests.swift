@testable import CurlTransport
import Testing

@Suite struct GatherLimitTests {
    @Test func anUnannouncedLengthGetsTheWholeBuffer() {
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: nil) == 1 << 20)
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: 0) == 1 << 20)
        #expect(GatherLimit.bytes(capacity: 0, contentLength: nil) == 0)
    }

    @Test func anAnnouncedBodyIsWrittenInEighthsOfAtLeast64KiB() {
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: 1 << 20) == 128 * 1024)
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: 2 << 20) == 256 * 1024)
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: 100_000) == 64 * 1024)
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: 1) == 64 * 1024)
    }

    @Test func theLimitNeverExceedsTheBuffer() {
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: 8 << 20) == 1 << 20)
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: 1 << 30) == 1 << 20)
        #expect(GatherLimit.bytes(capacity: 1 << 20, contentLength: .max) == 1 << 20)
        #expect(GatherLimit.bytes(capacity: 16 * 1024, contentLength: 1 << 20) == 16 * 1024)
        #expect(GatherLimit.bytes(capacity: 0, contentLength: 1 << 20) == 0)
    }
}
