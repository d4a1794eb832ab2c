#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Reads the entries of an open directory stream, each name read in place from its record.
///
/// glibc sizes each `dirent` record to its name, so copying the whole 256-byte `d_name` field — as Swift
/// does when it reads the tuple by value — can read past the end of the buffer: a crash when the last
/// record ends at the edge of a mapping.
package enum DirectoryNames {
    /// Calls `body` with the name of each entry `stream` has left, in the order `readdir` gives them.
    package static func forEach(in stream: OpaquePointer, _ body: (String) -> Void) {
        while let entry = readdir(stream) {
            let name = withUnsafePointer(to: &entry.pointee.d_name) { tuple in
                tuple.withMemoryRebound(to: CChar.self, capacity: 1) { String(cString: $0) }
            }
            body(name)
        }
    }
}
