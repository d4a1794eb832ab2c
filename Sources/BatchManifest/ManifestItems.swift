import BoldSignIDV
internal import CurlTransport
import SystemPackage

/// The items of a checked manifest, read from its file as they are asked for (``Manifest/Checked/items``).
package struct ManifestItems: Sequence, Sendable {
    let checked: Manifest.Checked
    /// Set when the file no longer read as it did when it was checked; the items ended there.
    package let problem = ProblemBox()

    /// Starts reading the file again.
    package func makeIterator() -> Iterator {
        do {
            return Iterator(rows: ManifestRows(try ManifestLineReader(path: checked.path), isJSONLines: checked.isJSONLines),
                            outputDirectory: checked.outputDirectory, problem: problem)
        } catch {
            problem.record(error)
            return Iterator(rows: nil, outputDirectory: checked.outputDirectory, problem: problem)
        }
    }

    /// One pass over the file.
    package struct Iterator: IteratorProtocol {
        var rows: ManifestRows?
        let outputDirectory: FilePath
        let problem: ProblemBox

        /// The next item, or nil at the end (or at a line that no longer reads).
        package mutating func next() -> BatchItem? {
            do {
                guard let (line, fields) = try rows?.next() else { return nil }
                return try Manifest.item(fields, line: line, outputDirectory: outputDirectory)
            } catch {
                problem.record(error)
                rows = nil
                return nil
            }
        }
    }

    /// The first problem met while reading the items again.
    package final class ProblemBox: Sendable {
        private let stored = Locked<Manifest.Problem?>(nil)

        /// What went wrong, if anything.
        package var value: Manifest.Problem? { stored.withLock { $0 } }

        func record(_ problem: Manifest.Problem) {
            stored.withLock { if $0 == nil { $0 = Manifest.Problem(description: "the manifest changed while the batch ran: \(problem)") } }
        }
    }
}
