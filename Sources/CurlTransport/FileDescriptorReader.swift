import SystemPackage

/// Reads a whole file through a descriptor, for the package's small local inputs (a batch manifest).
/// It sits beside ``FileDescriptorWriter`` so that raw buffers stay in this module.
package enum FileDescriptorReader {
    /// The bytes of the file at `path`; fails with the first `open(2)` or `read(2)` error
    /// (`EINTR` retried).
    package static func readAll(_ path: FilePath) throws(Errno) -> [UInt8] {
        do {
            let fd = try FileDescriptor.open(path, .readOnly, options: .closeOnExec)
            return try fd.closeAfter {
                var bytes: [UInt8] = []
                var chunk = [UInt8](repeating: 0, count: 64 * 1024)
                while true {
                    let count = try chunk.withUnsafeMutableBytes { try fd.read(into: $0, retryOnInterrupt: true) }
                    if count == 0 { return bytes }
                    bytes += chunk[..<count]
                }
            }
        } catch let error as Errno {
            throw error
        } catch {
            throw .ioError
        }
    }
}
