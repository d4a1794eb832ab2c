import ArgumentParser
import BoldSignIDV
import SystemPackage

/// What `boldsign-idv image` was asked to do, as ``ImageCommand`` read it.
struct ImageArguments: Equatable, Sendable {
    var global = GlobalSettings()
    var signer = SignerSettings()
    var documentId: String
    var fileId: String
    var output: String
    var overwrite = false

    /// The rule `image` adds to the global and signer options' (which their option groups check).
    func validate() throws {
        if output == "-", global.json {
            throw ValidationError("--json prints its result on stdout, where --output - writes the image: use one or the other")
        }
    }

    /// Downloads the image, prints the outcome, and throws the exit code of a failure.
    func run() async throws {
        try await CommandRunner.run(global: global) { client in
            let request = ImageRequest(documentID: documentId, signer: signer.signer, order: signer.order,
                                       fileID: fileId, onBehalfOf: signer.onBehalfOf)
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
