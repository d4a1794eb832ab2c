import ArgumentParser
import BoldSignIDV
import BoldSignMockServer
import Foundation
import SystemPackage

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Show the whole job against this server, in this process: report, fetch-all and a batch.",
        discussion: """
            Needs no account and no network: the server runs on a free loopback port and the BoldSignIDV \
            library downloads from it, as boldsign-idv would.
            """)

    @Option(help: "Where to put the images.")
    var outputDir = "boldsign-demo"

    func run() async throws {
        let server = try await MockServer.start(.init(port: 0))
        defer { Task { try? await server.shutdown() } }
        say("Started a local BoldSign-compatible server at \(server.baseURL) (API key \(MockFixtures.defaultAPIKey)).")
        let root = FilePath(outputDir)
        let document = MockFixtures.sampleDocumentID
        let alex = Signer.email("alex.gayle@example.com")
        do {
            try await withBoldSignClient(configuration: .init(baseURL: server.baseURL, credentials: .apiKey(MockFixtures.defaultAPIKey))) { client in
                say("\n1. The identity-verification report of alex.gayle@example.com on document \(document):")
                let report = try await client.report(documentID: document, signer: alex)
                say("   result \(report.verificationResult ?? "-"), \(report.document?.type ?? "-") of \(report.document?.firstName ?? "") \(report.document?.lastName ?? "")")
                for file in report.imageFiles { say("   \(file.role): file id \(file.fileID)") }

                let signerDirectory = root.appending("alex")
                try FileManager.default.createDirectory(atPath: signerDirectory.string, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                say("\n2. fetch-all: every image of that signer into \(signerDirectory)/")
                for image in try await client.downloadAllImages(documentID: document, signer: alex, to: signerDirectory) {
                    say("   \(image.path)  \(image.bytes) bytes, \(image.format.rawValue)\(image.skipped ? " (already there)" : "")")
                }

                let batchDirectory = root.appending("batch")
                try FileManager.default.createDirectory(atPath: batchDirectory.string, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
                let sms = Signer.phone(countryCode: "+1", number: "5550100123")
                let items = [
                    BatchItem(request: .init(documentID: document, signer: sms, order: 2, fileID: "5f0e4c1b-8d2a-4a7e-9c3b-6e5d4f3a2b1c",
                                             onBehalfOf: "sender@example.com"), destination: batchDirectory.appending("sms-signer-id.jpg")),
                    BatchItem(request: .init(documentID: document, signer: sms, order: 2, fileID: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d",
                                             onBehalfOf: "sender@example.com"), destination: batchDirectory.appending("sms-signer-selfie.png")),
                ]
                say("\n3. A batch of the \(items.count) images of an SMS signer, streamed straight to disk, into \(batchDirectory)/")
                for await outcome in client.downloadBatch(items, options: .init(concurrency: 2)) {
                    switch outcome.result {
                    case .downloaded(let download): say("   \(outcome.item.destination)  \(download.bytesWritten) bytes")
                    case .skipped: say("   \(outcome.item.destination)  already there, skipped")
                    case .failed(let error): say("   \(outcome.item.destination)  failed: \(error)")
                    }
                }

                say("\n4. failed.check@example.com failed verification; a link for the sender to review it by hand:")
                let link = try await client.createEmbeddedVerificationURL(
                    .init(documentID: document, signer: .email("failed.check@example.com"), order: 3, redirectURL: "https://example.com/reviewed"))
                say("   \(link.absoluteString)")
            }
        } catch {
            FileHandle.standardError.write(Data("boldsign-mock demo: \(error)\n".utf8))
            throw ExitCode(1)
        }
        say("\nEvery image is a real, synthetic specimen (open them). Done. Run it again: every file is already there and is skipped. Against BoldSign itself, set BOLDSIGN_API_KEY and use boldsign-idv image, report, fetch-all and batch.")
    }

    private func say(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }
}
