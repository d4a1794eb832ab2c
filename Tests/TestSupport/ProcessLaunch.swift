import Foundation

/// Starts `process`, one launch at a time across the whole test run.
///
/// The suite runs tests in parallel, and Foundation's `Process.run()` on Linux once crashed (a bad
/// read inside it) with two launches in flight on two threads; the launch itself is quick, so holding
/// them to one at a time costs nothing worth measuring.
public func launch(_ process: Process) throws {
    launchLock.lock()
    defer { launchLock.unlock() }
    try process.run()
}

private let launchLock = NSLock()
