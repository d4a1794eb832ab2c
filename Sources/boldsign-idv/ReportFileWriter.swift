import BoldSignIDV
import SystemPackage

/// `--report-file`: one JSON object per line and item.
final class ReportFileWriter: Sendable {
    private let fd: FileDescriptor

    init(path: String) throws {
        do {
            fd = try FileDescriptor.open(FilePath(path), .writeOnly, options: [.create, .truncate, .noFollow, .closeOnExec],
                                         permissions: [.ownerRead, .ownerWrite])
        } catch {
            throw CLIError(.outputError, "cannot write the report file \(path): \(error)")
        }
    }

    func write(_ outcome: BatchOutcome) {
        var line: [String: JSON] = ["index": JSON(outcome.index), "path": .string(outcome.item.destination.string)]
        switch outcome.result {
        case .downloaded(let download):
            line["status"] = "downloaded"
            line["bytes"] = JSON(download.bytesWritten)
            line["format"] = .string(download.format.rawValue)
        case .skipped:
            line["status"] = "skipped"
        case .failed(let error):
            line["status"] = "failed"
            line["error"] = .string("\(error)")
            line["exitCode"] = JSON(Int(ExitStatus(for: error).rawValue))
            if let status = error.status { line["httpStatus"] = JSON(status) }
        }
        _ = try? fd.writeAll(Array((JSON.object(line).serialized + "\n").utf8))
    }

    func close() { try? fd.close() }
}
