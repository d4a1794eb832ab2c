import BoldSignIDV

// Touches the public API a consumer needs: configuration, requests, the client type, errors.
let configuration = Configuration(region: .eu, credentials: .apiKey("linkage-check"))
let request = ImageRequest(documentID: "55a6f0cf-0000-4000-8000-796d02cb0977", signer: .email("a@example.com"), fileID: "f")
do {
    try request.validate()
    let client = try BoldSignClient(configuration: configuration)
    await client.shutdown()
    print("linked: \(configuration.baseURL)")
} catch let error as BoldSignError {
    print("error kind: \(error.kind)")
}
