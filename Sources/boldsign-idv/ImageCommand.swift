import ArgumentParser
import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

struct ImageCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image",
        abstract: "Download one identity-verification image.",
        discussion: ExitStatus.helpText)

    @OptionGroup var global: GlobalOptions
    @OptionGroup var signerOptions: SignerOptions

    @Option(help: "The document id.")
    var documentId: String

    @Option(help: "The image's file id (from the report).")
    var fileId: String

    @Option(name: .shortAndLong, help: "Where to write the image; - for stdout.")
    var output: String

    @Flag(help: "Replace an existing file at --output.")
    var overwrite = false

    func run() async throws {
        try await CommandRunner.run(global: global) { client in
            let request = ImageRequest(documentID: documentId, signer: signerOptions.signer, order: signerOptions.order,
                                       fileID: fileId, onBehalfOf: signerOptions.onBehalfOf)
            let result: ImageDownload
            if output == "-" {
                result = try await client.downloadImage(request, into: .standardOutput)
            } else {
                result = try await client.downloadImage(request, to: FilePath(output), replaceExisting: overwrite)
            }
            let summary: [String: JSON] = [
                "status": "ok", "path": .string(output), "bytes": JSON(result.bytesWritten), "format": .string(result.format.rawValue),
                "contentType": JSON(result.contentType), "seconds": .number(result.timing.total.seconds),
            ]
            return (summary, "\(result.bytesWritten) bytes (\(result.format.rawValue)) -> \(output)", .success)
        }
    }
}
