#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
internal import CCurl
import Synchronization

/// libcurl's memory functions (`curl_global_init_mem`): the C allocator, except that one large
/// block libcurl frees is kept for its next large allocation.
///
/// libcurl 7.88 allocates its receive buffer (`CURLOPT_BUFFERSIZE` + 1 bytes, 512 KiB by default)
/// when a transfer starts and frees it when the transfer ends. glibc serves the first one with
/// `mmap`; freeing it raises glibc's mmap threshold, so from the second transfer on the buffer
/// comes from the transfer thread's heap arena, which small allocations fragment and which grows
/// past the buffer's size and is not trimmed. A sequential batch of 200 × 1 MiB peaked at 17.5 MiB
/// that way and at 16.5 MiB with the buffer kept (the release CLI, medians of 15 runs). Keeping it
/// costs nothing while transfers run (the next one takes it at once) and one buffer while a client
/// is idle; glibc kept that much and more in the arena anyway. A loop's shutdown hands it back.
///
/// One slot is enough at any concurrency: a batch starts its next transfer as one ends, so the
/// block freed by the one is taken by the other.
final class ReceiveBufferRecycler: Sendable {
    /// The instance behind libcurl's memory functions.
    static let shared = ReceiveBufferRecycler()

    /// Smaller blocks come from glibc's bins without these effects (its initial mmap threshold).
    static let smallestRecycled = 128 * 1024
    /// libcurl's largest receive buffer (10 MiB) and its terminating byte.
    static let largestRecycled = 10 * 1024 * 1024 + 1

    /// The kept block's address, or 0.
    private let slot = Atomic<Int>(0)
    private let reuses = Atomic<Int>(0)

    /// How many allocations the kept block has served.
    var reuseCount: Int { reuses.load(ordering: .relaxed) }

    /// Whether a block is kept.
    var keepsABlock: Bool { slot.load(ordering: .acquiring) != 0 }

    /// Whether an allocation of `byteCount` bytes may be served by, or become, the kept block.
    static func isRecyclable(byteCount: Int) -> Bool {
        byteCount >= smallestRecycled && byteCount <= largestRecycled
    }

    /// Whether a block the allocator says is `usableBytes` long may be kept: it rounds requests up
    /// (an mmapped block to whole pages), so the largest buffer's block is a little larger.
    static func isRecyclable(usableBytes: Int) -> Bool {
        usableBytes >= smallestRecycled && usableBytes <= largestRecycled + 64 * 1024
    }

    /// `malloc` that hands out the kept block when it fits without wasting more than it serves.
    func allocate(_ byteCount: Int) -> UnsafeMutableRawPointer? {
        if Self.isRecyclable(byteCount: byteCount),
           let kept = UnsafeMutableRawPointer(bitPattern: slot.exchange(0, ordering: .acquiringAndReleasing)) {
            let usable = ccurl_malloc_usable_size(kept)
            if usable >= byteCount, usable - byteCount < byteCount {
                reuses.add(1, ordering: .relaxed)
                return kept
            }
            free(kept)
        }
        return malloc(byteCount)
    }

    /// `free` that keeps a large block if none is kept yet.
    func deallocate(_ pointer: UnsafeMutableRawPointer?) {
        guard let pointer else { return }
        if Self.isRecyclable(usableBytes: ccurl_malloc_usable_size(pointer)),
           slot.compareExchange(expected: 0, desired: Int(bitPattern: pointer), ordering: .acquiringAndReleasing).exchanged {
            return
        }
        free(pointer)
    }

    /// `realloc`: libcurl grows only small buffers this way, and a kept block is an ordinary one.
    func reallocate(_ pointer: UnsafeMutableRawPointer?, _ byteCount: Int) -> UnsafeMutableRawPointer? {
        realloc(pointer, byteCount)
    }

    /// `calloc`: the kept block is not zeroed, so it is never handed out here.
    func allocateZeroed(_ count: Int, _ size: Int) -> UnsafeMutableRawPointer? {
        calloc(count, size)
    }

    /// `strdup` through ``allocate(_:)``, since libcurl frees the copy with ``deallocate(_:)``.
    func duplicate(_ string: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
        guard let string else { return nil }
        let byteCount = strlen(string) + 1
        guard let copy = allocate(byteCount) else { return nil }
        copy.copyMemory(from: string, byteCount: byteCount)
        return copy.assumingMemoryBound(to: CChar.self)
    }

    /// Hands the kept block, if any, back to the C allocator.
    func releaseKeptBlock() {
        free(UnsafeMutableRawPointer(bitPattern: slot.exchange(0, ordering: .acquiringAndReleasing)))
    }

    deinit { releaseKeptBlock() }
}
