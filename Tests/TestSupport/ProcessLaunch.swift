import Foundation

/// Starts a Foundation `Process` (only the tests of how the library coexists with one use it; every other
/// child is a ``SpawnedProcess``), never at the same time as another launch.
///
/// `Process.run()` opens a socketpair whose one end only its own child may hold, and closes every other
/// descriptor in that child by a list made before the spawn: a launch beside it could take that end along.
public func launch(_ process: Process) throws {
    try launchLock.withLock { try process.run() }
}

/// Held by every launch of the test run.
let launchLock = NSLock()
