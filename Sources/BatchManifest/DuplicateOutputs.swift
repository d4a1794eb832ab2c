/// Finds two manifest lines with the same output in memory that does not grow with the manifest.
///
/// A Bloom filter of fixed size says which outputs may have been seen before; only those few are kept
/// (by name), and a second pass over the manifest counts just them. Exact, with about 1 MiB for the
/// filter plus the outputs it flags: for a million distinct outputs, some thousands.
struct DuplicateOutputs {
    private static let bits = 1 << 23
    private static let hashes = 4
    private var filter = [UInt64](repeating: 0, count: bits / 64)
    /// Outputs the filter had (maybe) seen when they were inserted, with how often the second pass met them.
    private var candidates: [String: Int] = [:]

    /// Whether some output may occur twice; when false, none does.
    var mayHaveDuplicates: Bool { !candidates.isEmpty }

    /// Records `output` (first pass).
    mutating func insert(_ output: String) {
        var seen = true
        let (a, b) = Self.hashPair(output)
        for index in 0..<Self.hashes {
            let position = Int((a &+ UInt64(index) &* b) % UInt64(Self.bits))
            let (word, bit) = (position / 64, UInt64(1) << UInt64(position % 64))
            if filter[word] & bit == 0 {
                seen = false
                filter[word] |= bit
            }
        }
        if seen { candidates[output] = 0 }
    }

    /// Counts a use of `output` (second pass); true from its second use on.
    mutating func isSecondUse(of output: String) -> Bool {
        guard let uses = candidates[output] else { return false }
        candidates[output] = uses + 1
        return uses + 1 >= 2
    }

    /// Two independent hashes of `output`, for double hashing (the second odd).
    private static func hashPair(_ output: String) -> (UInt64, UInt64) {
        var first = Hasher()
        first.combine(output)
        var second = Hasher()
        second.combine(0x9E37_79B9_7F4A_7C15 as UInt64)
        second.combine(output)
        return (UInt64(bitPattern: Int64(first.finalize())), UInt64(bitPattern: Int64(second.finalize())) | 1)
    }
}
