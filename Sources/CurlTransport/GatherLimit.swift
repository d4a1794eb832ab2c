/// How many body bytes a transfer gathers before one `write(2)`.
///
/// The gather buffer's size, except for a body whose length the server announced: then at most an
/// eighth of that length (not below 64 KiB). Bytes gathered are written only when the buffer fills
/// or the body ends, and the write at the end waits for the last byte, while earlier writes overlap
/// with the download. A 1 MiB body gathered whole would be written entirely after it has arrived; in
/// eighths, seven of its eight writes overlap the download (the `200 x 1 MiB sequential` case of
/// `Benchmarks/run.sh` measures it). Bodies of eight buffers and more get the full buffer, where fewer
/// system calls pay.
enum GatherLimit {
    /// The least an announced length brings the limit down to.
    static let minimumBytes = 64 * 1024
    /// One write carries at most this fraction of an announced body.
    static let bodyFraction: Int64 = 8

    /// The limit for a gather buffer of `capacity` bytes and a body of `contentLength` bytes, if known.
    static func bytes(capacity: Int, contentLength: Int64?) -> Int {
        guard let contentLength, contentLength > 0 else { return capacity }
        let share = Int(clamping: contentLength / bodyFraction)
        return min(capacity, max(minimumBytes, share))
    }
}
