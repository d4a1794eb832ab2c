extension MockFixtures {
    /// The API key the default fixtures accept.
    public static let defaultAPIKey = "test-api-key"
    /// The bearer token the default fixtures accept.
    public static let defaultBearerToken = "test-access-token"

    /// The document of the default fixtures that has two verified signers with realistic images.
    public static let sampleDocumentID = "7d3e7a52-3c1b-4f4e-9a51-0b8f6c2a9e11"
    /// The document of the default fixtures with large bodies (1 MiB, 64 MiB, 1 GiB; with and without chunking).
    public static let largeDocumentID = "0b0c3b7e-5a41-4d7e-8a5c-9f1d2e3c4b5a"
    /// The document of the default fixtures whose files misbehave, one fault each.
    public static let faultDocumentID = "f4a1c0de-0000-4bad-8bad-00000000fa17"

    /// The fixture set `boldsign-mock` serves when given no `--fixtures` file.
    ///
    /// - ``sampleDocumentID``: signer `alex.gayle@example.com` (order 1) with the ID card's front and back (JPEG) and a
    ///   selfie (PNG); signer `+1` `5550100123` (order 2, on behalf of `sender@example.com`) with the front and the
    ///   selfie. These are real images (``SampleImage``); signer `failed.check@example.com` (order 3) failed its
    ///   verification, which is what the embedded verification URL is for.
    /// - ``largeDocumentID``: signer `bulk@example.com` with files `image-1m`, `image-64m`, `image-1g`, `image-1m-chunked`.
    /// - ``faultDocumentID``: signer `faults@example.com` with files `latency`, `stall`, `drop`, `server-error`,
    ///   `flaky`, `rate-limited`, `json-with-200` (a JSON body with status 200), and a report that is not JSON for
    ///   signer `broken-report@example.com`.
    public static let `default` = MockFixtures(
        credentials: Credentials(apiKeys: [defaultAPIKey], bearerTokens: [defaultBearerToken]),
        documents: [
            Document(id: sampleDocumentID, signers: [
                Signer(emailId: "alex.gayle@example.com", order: 1, files: [
                    File(id: "2e96f9ad-6b0e-4c55-8e0c-3063e73f04f8", role: .document, sample: .idCardFront),
                    File(id: "686a2352-aa04-4b9a-a299-593451ed3f7a", role: .document, sample: .idCardBack),
                    File(id: "c1d7e0a4-2f3b-4e59-b6a8-1f0e9d8c7b6a", role: .selfie, sample: .selfie),
                ]),
                Signer(countryCode: "+1", phoneNumber: "5550100123", order: 2, onBehalfOf: "sender@example.com", files: [
                    File(id: "5f0e4c1b-8d2a-4a7e-9c3b-6e5d4f3a2b1c", role: .document, sample: .idCardFront),
                    File(id: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", role: .selfie, sample: .selfie),
                ]),
                Signer(emailId: "failed.check@example.com", order: 3, verificationFailed: true, files: [
                    File(id: "b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d6e", role: .document, sample: .idCardFront),
                    File(id: "e6d5c4b3-a2f1-4e0d-9c8b-7a6f5e4d3c2b", role: .selfie, sample: .selfie),
                ]),
            ]),
            Document(id: largeDocumentID, signers: [
                Signer(emailId: "bulk@example.com", order: 1, files: [
                    File(id: "image-1m", size: 1 << 20, seed: 101),
                    File(id: "image-64m", size: 64 << 20, seed: 102),
                    File(id: "image-1g", size: 1 << 30, seed: 103),
                    File(id: "image-1m-chunked", format: .png, size: 1 << 20, seed: 104, chunked: true),
                ]),
            ]),
            Document(id: faultDocumentID, signers: [
                Signer(emailId: "faults@example.com", order: 1, files: [
                    File(id: "latency", size: 4096, seed: 201, fault: Fault(latencyMilliseconds: 1500)),
                    File(id: "stall", size: 1 << 20, seed: 202, fault: Fault(stallAfterBytes: 65536, stallSeconds: 30)),
                    File(id: "drop", size: 1 << 20, seed: 203, fault: Fault(closeAfterBytes: 100_000)),
                    File(id: "server-error", size: 4096, seed: 204, fault: Fault(respond: .init(
                        status: 500, headers: ["Content-Type": "application/json"], body: #"{"error":"Internal server error"}"#))),
                    File(id: "flaky", size: 4096, seed: 205, fault: Fault(failFirst: .init(count: 2, response: .init(
                        status: 503, headers: ["Retry-After": "1"], body: "Service Unavailable")))),
                    File(id: "rate-limited", size: 4096, seed: 206, fault: Fault(respond: .init(
                        status: 429, headers: ["Retry-After": "2"], body: #"{"error":"API calls quota exceeded"}"#))),
                    File(id: "json-with-200", size: 10, seed: 207, fault: Fault(respond: .init(
                        status: 200, headers: ["Content-Type": "application/json"], body: #"{"error":"Verification pending"}"#))),
                ]),
                Signer(emailId: "broken-report@example.com", order: 2, reportFault: Fault(respond: .init(
                    status: 200, headers: ["Content-Type": "application/json"], body: #"{"verificationResult": "Verified", "document": {"#))),
            ]),
        ]
    )
}

extension MockFixtures {
    /// SHA-256 (lowercase hex) of the bodies of the default fixtures' large files, so that a test
    /// can check a download with `sha256sum` instead of regenerating a gigabyte.
    /// `boldsign-mock generate --file-id ID | sha256sum` reproduces each.
    public static let defaultSHA256: [String: String] = [
        "image-1m": "05a01ebb5fe5972e613331941d9098b9d971af1e6117b25bf7f93c2ebc4a5a51",
        "image-64m": "76ee8e632d136c8394018def71e013dafb9cc46fc14eea88bb16f37bec7b75a8",
        "image-1g": "f4ade4322b4f77967145b052575dd32d6c127b3cdfcd3248adf6a58ab4a9ace2",
        "image-1m-chunked": "75aadce0af921f2996983b11a9c5cf9f9845cff2b0b7aa978f1d2a21156a80fe",
    ]
}
