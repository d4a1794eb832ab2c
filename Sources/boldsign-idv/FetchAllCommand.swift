import ArgumentParser
import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

struct FetchAllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch-all",
        abstract: "Download every image of a signer: document-1.<ext>, document-2.<ext> …, selfie.<ext>.",
        discussion: "Images already there are skipped, so a re-run resumes.\n\n" + ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signerOptions: SignerOptions

    @Option(help: "The document id.")
    var documentId: String

    @Option(help: "Directory for the images (created if missing).")
    var outputDir: String

    func run() async throws {
        try CommandRunner.createDirectories([], root: FilePath(outputDir), global: global.settings)
        try await CommandRunner.run(global: global.settings) { client in
            let saved = try await client.downloadAllImages(documentID: documentId, signer: signerOptions.signer, order: signerOptions.order,
                                                           onBehalfOf: signerOptions.onBehalfOf, to: FilePath(outputDir))
            let files: [JSON] = saved.map {
                ["role": .string($0.file.role.description), "fileId": .string($0.file.fileID), "path": .string($0.path.string),
                 "bytes": JSON($0.bytes), "format": .string($0.format.rawValue), "skipped": .bool($0.skipped)]
            }
            let text = saved.map { "\($0.path) \($0.bytes) bytes\($0.skipped ? " (already there)" : "")" }.joined(separator: "\n")
            return (["status": "ok", "files": .array(files)], text.isEmpty ? "no images in the report" : text, .success)
        }
    }
}
