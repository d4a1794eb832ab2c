import SystemPackage

/// The tool's writes to stdout and stderr: whole strings, retried on EINTR, errors ignored (there is
/// nowhere left to report a failing stderr).
enum Console {
    static func out(_ text: String) { write(text, to: .standardOutput) }
    static func error(_ text: String) { write(text, to: .standardError) }

    private static func write(_ text: String, to fd: FileDescriptor) {
        _ = try? fd.writeAll(Array(text.utf8))
    }
}
