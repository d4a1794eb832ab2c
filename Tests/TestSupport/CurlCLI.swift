import Foundation

/// The curl command-line tool, driven from tests as an independent client.
public struct CurlCLI: Sendable {
    /// One curl invocation's result.
    public struct Response: Sendable {
        /// curl's exit code (0 on success, 7 connection refused, 18 partial file, 28 timeout, 60 bad certificate …).
        public var exitCode: Int32
        /// The HTTP status of the last response, 0 when none arrived.
        public var status: Int
        /// The last response's headers, names lowercased.
        public var headers: [String: String]
        /// The body (empty when it was written to a file instead).
        public var body: Data
        /// curl's stderr.
        public var stderr: String
        /// Wall-clock seconds curl took, as curl measured it.
        public var totalSeconds: Double

        /// The body as text.
        public var text: String { String(decoding: body, as: UTF8.self) }
        /// The body decoded as a JSON object.
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
    }

    /// The server's base URL, such as `http://127.0.0.1:54321`.
    public var baseURL: String
    /// Extra arguments for every call (`--cacert …`).
    public var extraArguments: [String]

    /// Creates a client for one server.
    public init(baseURL: String, extraArguments: [String] = []) {
        self.baseURL = baseURL
        self.extraArguments = extraArguments
    }

    /// Sends `POST path` with a JSON body and auth headers.
    public func post(
        _ pathAndQuery: String, json: String, headers: [String] = ["X-API-KEY: test-api-key"],
        output: String? = nil, arguments: [String] = []
    ) async throws -> Response {
        try await request(
            ["-X", "POST", "-H", "Content-Type: application/json", "--data-binary", json] + headers.flatMap { ["-H", $0] },
            pathAndQuery: pathAndQuery, output: output, arguments: arguments)
    }

    /// Sends any request; `curlArguments` go before the URL.
    public func request(_ curlArguments: [String], pathAndQuery: String, output: String? = nil, arguments: [String] = []) async throws -> Response {
        let directory = try TemporaryDirectory()
        let headerPath = directory.path + "/headers"
        let bodyPath = output ?? directory.path + "/body"
        let run = try await ChildProcess.run("/usr/bin/curl", [
            "-sS", "-D", headerPath, "-o", bodyPath, "-w", "%{http_code} %{time_total}",
        ] + extraArguments + arguments + curlArguments + [baseURL + pathAndQuery])
        let written = run.text.split(separator: " ")
        let headerText = (try? String(contentsOfFile: headerPath, encoding: .isoLatin1)) ?? ""
        // With several responses (1xx, retries) keep the last block.
        let lastBlock = headerText.components(separatedBy: "\r\n\r\n").filter { !$0.isEmpty }.last ?? ""
        var headers: [String: String] = [:]
        for line in lastBlock.components(separatedBy: "\r\n").dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return Response(
            exitCode: run.status,
            status: written.first.flatMap { Int($0) } ?? 0,
            headers: headers,
            body: output == nil ? ((try? Data(contentsOf: URL(fileURLWithPath: bodyPath))) ?? Data()) : Data(),
            stderr: run.stderr,
            totalSeconds: written.dropFirst().first.flatMap { Double($0) } ?? 0
        )
    }
}
