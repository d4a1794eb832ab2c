#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A request as the router sees it: everything parsed off the wire, nothing NIO-specific.
struct MockRequest: Sendable {
    var method: String
    var uri: String
    /// `HTTP/1.1` or `HTTP/2`.
    var httpVersion: String
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }
}

/// The BoldSign API's behaviour, as a pure function from request to reply (plus the shared counters).
struct MockRouter: Sendable {
    static let imagePath = "/v1/identityVerification/image"
    static let reportPath = "/v1/identityVerification/report"
    static let embeddedURLPath = "/v1/identityVerification/createEmbeddedVerificationUrl"
    /// Admin paths live under a prefix the real API does not use.
    static let adminPrefix = "/__admin/"

    let fixtures: MockFixtures
    let rateLimit: RateLimitPolicy
    let state: MockServerState
    private let documents: [UUID: MockFixtures.Document]
    private let clock: @Sendable () -> Double

    init(fixtures: MockFixtures, rateLimit: RateLimitPolicy, state: MockServerState,
         clock: @escaping @Sendable () -> Double = { Date().timeIntervalSince1970 }) {
        self.fixtures = fixtures
        self.rateLimit = rateLimit
        self.state = state
        self.clock = clock
        var documents: [UUID: MockFixtures.Document] = [:]
        for document in fixtures.documents {
            if let id = UUID(uuidString: document.id) { documents[id] = document }
        }
        self.documents = documents
    }

    /// Routes one request; returns the reply and how long to wait before sending its head.
    func route(_ request: MockRequest) -> (reply: MockReply, latencyMilliseconds: Int) {
        let (path, query) = Self.split(request.uri)
        if path.hasPrefix(Self.adminPrefix) { return (admin(path: path, method: request.method, body: request.body), 0) }

        let endpoint: Endpoint? = switch path {
        case Self.imagePath: .image
        case Self.reportPath: .report
        case Self.embeddedURLPath: .embeddedVerificationURL
        default: nil
        }
        let auth = authenticate(request)
        state.requestReceived(record(request, auth: auth), endpoint: endpoint)

        guard let endpoint else { return (MockReply.error(404, "The requested resource was not found."), 0) }
        guard request.method == "POST" else {
            return (MockReply.error(405, "Method \(request.method) is not allowed.", headers: [("Allow", "POST")]), 0)
        }
        guard let credential = auth.credential else { return (MockReply.error(401, "Unauthorized request. Invalid authentication."), 0) }

        var rateHeaders: [(String, String)] = []
        if let decision = state.consumeRateLimit(credential: credential, policy: rateLimit, now: clock()) {
            rateHeaders = decision.headers
            guard decision.allowed else {
                return (MockReply.error(429, "API calls quota exceeded. Try again later.",
                                   headers: rateHeaders + [("Retry-After", String(decision.retryAfter))]), 0)
            }
        }

        let reply: (MockReply, Int)
        switch parse(query: query, body: request.body) {
        case .failure(let rejection): reply = (rejection.reply, 0)
        case .success(let parsed):
            reply = switch endpoint {
            case .image: image(parsed)
            case .report: report(parsed)
            case .embeddedVerificationURL: embeddedVerificationURL(parsed)
            }
        }
        return (reply.0.adding(rateHeaders), reply.1)
    }

    // MARK: - Endpoints

    private func image(_ request: ParsedRequest) -> (MockReply, Int) {
        let signer: MockFixtures.Signer
        switch findSigner(request) {
        case .failure(let rejection): return (rejection.reply, 0)
        case .success(let found): signer = found
        }
        guard let fileID = request.fileId, !fileID.isEmpty else {
            return (MockReply.problem(field: "FileId", message: "The FileId field is required."), 0)
        }
        guard let file = signer.files.first(where: { $0.id == fileID }) else {
            return (MockReply.error(403, "Invalid file ID."), 0)
        }
        let key = "\(request.documentId)/\(file.id)"
        var fault = file.fault
        if let first = fault?.firstRequests, !state.shouldFail(key: key + "/first", count: first) {
            fault = MockFixtures.Fault(respond: fault?.respond, failFirst: fault?.failFirst)
        }
        let latency = fault?.latencyMilliseconds ?? 0
        if let canned = cannedResponse(fault, key: key) { return (canned, latency) }
        var headers = [("Content-Type", file.contentType ?? file.format.contentType)]
        headers.append(("Content-Disposition", "attachment; filename=\"\(file.id).\(file.format == .png ? "png" : "jpg")\""))
        return (.image(headers: headers, generator: file.generator, chunked: file.chunked, fault: fault), latency)
    }

    private func report(_ request: ParsedRequest) -> (MockReply, Int) {
        let signer: MockFixtures.Signer
        switch findSigner(request) {
        case .failure(let rejection): return (rejection.reply, 0)
        case .success(let found): signer = found
        }
        let latency = signer.reportFault?.latencyMilliseconds ?? 0
        let key = "\(request.documentId)/report/\(signer.order)"
        if let canned = cannedResponse(signer.reportFault, key: key) { return (canned, latency) }
        let report = signer.report ?? ReportGenerator.report(for: signer)
        return (MockReply.json(200, report), latency)
    }

    /// As the real API: only for a signer whose verification failed (the sender then reviews the
    /// document by hand); `400` for anyone else, as BoldSign's SDK integration tests expect.
    private func embeddedVerificationURL(_ request: ParsedRequest) -> (MockReply, Int) {
        let signer: MockFixtures.Signer
        switch findSigner(request) {
        case .failure(let rejection): return (rejection.reply, 0)
        case .success(let found): signer = found
        }
        guard signer.verificationFailed else {
            return (MockReply.error(400, "Manual verification is available only for a signer whose identity verification failed."), 0)
        }
        if let redirect = request.redirectUrl {
            let lowered = redirect.lowercased()
            guard lowered.hasPrefix("https://") || lowered.hasPrefix("http://"), URL(string: redirect) != nil else {
                return (MockReply.problem(field: "RedirectUrl", message: "The RedirectUrl field is not a valid fully-qualified http or https URL."), 0)
            }
        }
        // A token that names neither the document nor the signer, as an opaque link would.
        let token = String(ImageBodyGenerator.mix(UInt64.random(in: 0...UInt64.max)), radix: 16)
        let url = "https://app.boldsign.com/document/verifyidentity/embedded?token=\(token)"
        return (MockReply.json(200, .object([(key: "url", value: .string(url))])), 0)
    }

    private func cannedResponse(_ fault: MockFixtures.Fault?, key: String) -> MockReply? {
        guard let fault else { return nil }
        if let failFirst = fault.failFirst, state.shouldFail(key: key, count: failFirst.count) {
            return .canned(failFirst.response)
        }
        return fault.respond.map(MockReply.canned)
    }

    private func findSigner(_ request: ParsedRequest) -> Result<MockFixtures.Signer, Rejection> {
        guard let document = documents[request.documentId] else { return .failure(Rejection(.error(403, "Invalid Document ID"))) }
        let email = request.emailId.flatMap { $0.isEmpty ? nil : $0 }
        let phone = request.phoneNumber.flatMap { $0.isEmpty ? nil : $0 }
        let country = request.countryCode.flatMap { $0.isEmpty ? nil : $0 }
        guard email != nil || (phone != nil && country != nil) else {
            return .failure(Rejection(.error(400, "EmailId, or CountryCode and PhoneNumber, is required to identify the signer.")))
        }
        let signer = document.signers.first { signer in
            let selected: Bool
            if let email {
                selected = signer.emailId?.lowercased() == email.lowercased()
            } else {
                selected = signer.countryCode == country && signer.phoneNumber == phone
            }
            return selected && (request.order == nil || request.order == signer.order)
        }
        guard let signer else { return .failure(Rejection(.error(403, "The signer was not found or has no identity verification data."))) }
        let onBehalfOf = request.onBehalfOf.flatMap { $0.isEmpty ? nil : $0 }
        let matches = switch (signer.onBehalfOf, onBehalfOf) {
        case (nil, nil): true
        case (let expected?, let given?): expected.lowercased() == given.lowercased()
        default: false
        }
        guard matches else { return .failure(Rejection(.error(403, "You do not have permission to access this document."))) }
        return .success(signer)
    }

    // MARK: - Parsing

    struct ParsedRequest {
        var documentId: UUID
        var emailId: String?
        var countryCode: String?
        var phoneNumber: String?
        var order: Int?
        var fileId: String?
        var onBehalfOf: String?
        var redirectUrl: String?
    }

    private func parse(query: Substring?, body: [UInt8]) -> Result<ParsedRequest, Rejection> {
        let documentValue = Self.queryValue("documentId", in: query)
        guard let documentValue, !documentValue.isEmpty else {
            return .failure(Rejection(.problem(field: "documentId", message: "The documentId field is required.")))
        }
        guard let documentId = UUID(uuidString: documentValue) else {
            return .failure(Rejection(.problem(field: "documentId", message: "The value '\(documentValue)' is not valid.")))
        }
        guard !body.isEmpty else {
            return .failure(Rejection(.problem(field: "", message: "A non-empty request body is required.")))
        }
        guard let value = try? JSONDecoder().decode(JSONValue.self, from: Data(body)), case .object(let members) = value else {
            return .failure(Rejection(.problem(field: "$", message: "The JSON value could not be converted to a request object.")))
        }
        // ASP.NET Core binds JSON properties case-insensitively; the first spelling of a key wins.
        var fields: [String: JSONValue] = [:]
        for member in members where fields[member.key.lowercased()] == nil { fields[member.key.lowercased()] = member.value }

        var parsed = ParsedRequest(documentId: documentId)
        for (name, keyPath) in [("emailId", \ParsedRequest.emailId), ("countryCode", \.countryCode),
                                ("phoneNumber", \.phoneNumber), ("fileId", \.fileId), ("onBehalfOf", \.onBehalfOf),
                                ("redirectUrl", \.redirectUrl)] {
            switch fields[name.lowercased()] {
            case nil, .null?: continue
            case .string(let string)?: parsed[keyPath: keyPath] = string
            default: return .failure(Rejection(.problem(field: "$.\(name)", message: "The JSON value could not be converted to System.String.")))
            }
        }
        switch fields["order"] {
        case nil, .null?: break
        case .number(let number)? where number == number.rounded() && abs(number) <= Double(Int32.max):
            parsed.order = Int(number)
        default: return .failure(Rejection(.problem(field: "$.order", message: "The JSON value could not be converted to System.Int32.")))
        }
        return .success(parsed)
    }

    static func split(_ uri: String) -> (path: String, query: Substring?) {
        guard let mark = uri.firstIndex(of: "?") else { return (uri, nil) }
        return (String(uri[..<mark]), uri[uri.index(after: mark)...])
    }

    /// The first value of query parameter `name` (case-insensitive), percent-decoded; `+` is a space.
    static func queryValue(_ name: String, in query: Substring?) -> String? {
        guard let query else { return nil }
        for pair in query.split(separator: "&", omittingEmptySubsequences: true) {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let key = Self.percentDecoded(String(parts[0]).replacing("+", with: " ")) ?? String(parts[0])
            guard key.lowercased() == name.lowercased() else { continue }
            let raw = parts.count > 1 ? String(parts[1]) : ""
            return Self.percentDecoded(raw.replacing("+", with: " ")) ?? raw
        }
        return nil
    }

    /// `%XX` sequences decoded as UTF-8; nil for a malformed escape or bytes that are not UTF-8.
    static func percentDecoded(_ text: String) -> String? {
        var bytes: [UInt8] = []
        var iterator = text.utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue) else { return nil }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }

    // MARK: - Auth

    private struct Auth {
        var scheme: String
        var credential: String?
    }

    private func authenticate(_ request: MockRequest) -> Auth {
        if let key = request.header("X-API-KEY") {
            return Auth(scheme: "apiKey", credential: fixtures.credentials.apiKeys.contains(key) ? "key:\(key)" : nil)
        }
        if let authorization = request.header("Authorization") {
            let parts = authorization.split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[0].lowercased() == "bearer" {
                let token = String(parts[1].drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
                return Auth(scheme: "bearer", credential: fixtures.credentials.bearerTokens.contains(token) ? "bearer:\(token)" : nil)
            }
            return Auth(scheme: "other", credential: nil)
        }
        return Auth(scheme: "none", credential: nil)
    }

    private func record(_ request: MockRequest, auth: Auth) -> RecordedRequest {
        let secretHeaders: Set<String> = ["x-api-key", "authorization"]
        return RecordedRequest(
            method: request.method,
            uri: request.uri,
            httpVersion: request.httpVersion,
            headers: request.headers.map { [$0.name, secretHeaders.contains($0.name.lowercased()) ? "<redacted>" : $0.value] },
            body: String(decoding: request.body.prefix(64 * 1024), as: UTF8.self),
            authScheme: auth.scheme,
            authenticated: auth.credential != nil
        )
    }

    // MARK: - Admin

    private func admin(path: String, method: String, body: [UInt8]) -> MockReply {
        switch (method, path) {
        case ("POST", "/__admin/webhooks"):
            guard let delivery = try? JSONDecoder().decode(WebhookDelivery.self, from: Data(body)) else {
                return .error(400, "The body must be a JSON WebhookDelivery: url, secret, eventType, and documentId with emailId or countryCode and phoneNumber.")
            }
            return .sendWebhook(delivery)
        case ("GET", "/__admin/stats"):
            return .encoded(200, state.statistics)
        case ("GET", "/__admin/requests"):
            return .encoded(200, state.requestLog)
        case ("POST", "/__admin/reset"):
            state.reset()
            return .complete(status: 204, headers: [], body: [])
        default:
            return .error(404, "Unknown admin endpoint. Use GET /__admin/stats, GET /__admin/requests, POST /__admin/reset or POST /__admin/webhooks.")
        }
    }

}

/// A reply that ends routing early (a 4xx decided while parsing or matching).
struct Rejection: Error {
    let reply: MockReply
    init(_ reply: MockReply) { self.reply = reply }
}
