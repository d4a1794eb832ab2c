#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

/// A manifest a line at a time through one buffer, so that memory does not grow with the file.
final class ManifestLineReader {
    /// The longest line taken; a longer one is a problem, not a reason to grow without bound.
    static let maximumLineBytes = 1 << 20
    private static let chunkBytes = 64 * 1024

    private let file: FileDescriptor?
    private var buffer: [UInt8]
    private var start = 0
    private var atEnd: Bool
    /// The number of the line ``next()`` returned last, from 1.
    private(set) var lineNumber = 0

    /// Reads `path` (closed when the reader goes away).
    init(path: String) throws(Manifest.Problem) {
        do {
            file = try FileDescriptor.open(FilePath(path), .readOnly, options: .closeOnExec, retryOnInterrupt: true)
        } catch {
            let reason = (error as? Errno)?.description ?? "\(error)"
            throw Manifest.Problem(description: "cannot read manifest \(path): \(reason)")
        }
        buffer = []
        buffer.reserveCapacity(Self.chunkBytes)
        atEnd = false
    }

    /// Reads `text`, already in memory.
    init(text: String) {
        file = nil
        buffer = Array(text.utf8)
        atEnd = true
    }

    deinit {
        try? file?.close()
    }

    /// The next line without its `\n`, or nil at the end.
    func next() throws(Manifest.Problem) -> String? {
        while true {
            if let newline = buffer[start...].firstIndex(of: UInt8(ascii: "\n")) {
                defer { start = newline + 1 }
                return try line(buffer[start..<newline])
            }
            if atEnd {
                guard start < buffer.count else { return nil }
                defer { start = buffer.count }
                return try line(buffer[start...])
            }
            guard buffer.count - start <= Self.maximumLineBytes else {
                throw Manifest.Problem(description: "line \(lineNumber + 1): longer than \(Self.maximumLineBytes) bytes")
            }
            buffer.removeSubrange(0..<start)
            start = 0
            try fill()
        }
    }

    private func line(_ bytes: ArraySlice<UInt8>) throws(Manifest.Problem) -> String {
        lineNumber += 1
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw Manifest.Problem(description: "line \(lineNumber): not UTF-8")
        }
        return text
    }

    private func fill() throws(Manifest.Problem) {
        guard let file else { return atEnd = true }
        let count = buffer.count
        buffer.append(contentsOf: repeatElement(0, count: Self.chunkBytes))
        do {
            let read = try buffer.withUnsafeMutableBytes { bytes in
                try file.read(into: UnsafeMutableRawBufferPointer(rebasing: bytes[count...]), retryOnInterrupt: true)
            }
            buffer.removeLast(Self.chunkBytes - read)
            if read == 0 { atEnd = true }
        } catch {
            buffer.removeLast(Self.chunkBytes)
            throw Manifest.Problem(description: "cannot read the manifest: \((error as? Errno)?.description ?? "\(error)")")
        }
    }
}
