/// The deterministic image bodies the mock server streams.
///
/// A body is a real image signature (so clients that sniff the format see a JPEG or PNG)
/// followed by seeded pseudo-random bytes. Every byte is a pure function of
/// `(format, seed, offset)`, so a body of any size can be produced — or verified — piecewise,
/// from any offset, without ever holding it in memory.
public struct ImageBodyGenerator: Sendable, Hashable {
    /// The image format whose signature starts the body.
    public enum Format: String, Sendable, Hashable, Codable, CaseIterable {
        /// A body that starts with a JPEG/JFIF start-of-image marker.
        case jpeg
        /// A body that starts with the PNG signature and an IHDR chunk header.
        case png
        /// A body with no image signature at all.
        case binary

        /// The `Content-Type` a server would give this format.
        public var contentType: String {
            switch self {
            case .jpeg: return "image/jpeg"
            case .png: return "image/png"
            case .binary: return "application/octet-stream"
            }
        }

        /// The bytes every body of this format starts with.
        public var signature: [UInt8] {
            switch self {
            case .jpeg:
                // SOI, APP0 "JFIF\0" version 1.1.
                return [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, 0x4A, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01]
            case .png:
                // Signature, then the length and type of an IHDR chunk.
                return [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44, 0x52]
            case .binary:
                return []
            }
        }
    }

    /// The format whose signature starts the body.
    public var format: Format
    /// The seed of the pseudo-random bytes after the signature.
    public var seed: UInt64
    /// The body's length in bytes.
    public var size: Int64

    /// Creates a generator for a body of `size` bytes.
    public init(format: Format, seed: UInt64, size: Int64) {
        self.format = format
        self.seed = seed
        self.size = max(0, size)
    }

    /// Fills `buffer` with the body's bytes starting at `offset`.
    ///
    /// Bytes past the end of the body are left untouched; the return value says how many were written.
    @discardableResult
    public func fill(_ buffer: UnsafeMutableRawBufferPointer, offset: Int64) -> Int {
        guard offset >= 0, offset < size, let base = buffer.baseAddress else { return 0 }
        let count = Int(min(Int64(buffer.count), size - offset))
        var position = offset
        var written = 0
        let signature = format.signature
        while written < count, position < Int64(signature.count) {
            base.storeBytes(of: signature[Int(position)], toByteOffset: written, as: UInt8.self)
            written += 1
            position += 1
        }
        // Eight bytes per 64-bit word, each word a pure function of its index: any offset is reachable.
        while written < count {
            let wordIndex = UInt64(position >> 3)
            var word = Self.mix(seed &+ wordIndex &* 0x9E37_79B9_7F4A_7C15)
            let skip = Int(position & 7)
            word >>= UInt64(skip * 8)
            let take = min(8 - skip, count - written)
            if take == 8 {
                base.storeBytes(of: word.littleEndian, toByteOffset: written, as: UInt64.self)
            } else {
                for i in 0..<take {
                    base.storeBytes(of: UInt8(truncatingIfNeeded: word >> UInt64(i * 8)), toByteOffset: written + i, as: UInt8.self)
                }
            }
            written += take
            position += Int64(take)
        }
        return count
    }

    /// The body's bytes in `range`, for tests and small bodies.
    public func bytes(in range: Range<Int64>) -> [UInt8] {
        let lower = max(0, range.lowerBound)
        let upper = min(size, range.upperBound)
        guard lower < upper else { return [] }
        return [UInt8](unsafeUninitializedCapacity: Int(upper - lower)) { buffer, initialized in
            initialized = fill(UnsafeMutableRawBufferPointer(buffer), offset: lower)
        }
    }

    /// SplitMix64's finaliser: cheap, and good enough that the bytes do not compress.
    @inline(__always)
    static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
