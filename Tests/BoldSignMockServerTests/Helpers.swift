import BoldSignMockServer
import TestSupport

let sampleDocument = MockFixtures.sampleDocumentID
let largeDocument = MockFixtures.largeDocumentID
let faultDocument = MockFixtures.faultDocumentID
let frontFile = "2e96f9ad-6b0e-4c55-8e0c-3063e73f04f8"

func imagePath(_ document: String) -> String { "/v1/identityVerification/image?documentId=\(document)" }
func reportPath(_ document: String) -> String { "/v1/identityVerification/report?documentId=\(document)" }

/// Runs `body` against a fresh in-process server, then shuts it down.
func withServer<T>(
    _ configuration: MockServer.Configuration = .init(),
    _ body: (MockServer, CurlCLI) async throws -> T
) async throws -> T {
    let server = try await MockServer.start(configuration)
    do {
        let result = try await body(server, CurlCLI(baseURL: server.baseURL))
        try await server.shutdown()
        return result
    } catch {
        try? await server.shutdown()
        throw error
    }
}
