#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// What to answer.
enum MockReply: Sendable {
    /// A complete response held in memory (errors, reports, admin answers).
    case complete(status: Int, headers: [(String, String)], body: [UInt8])
    /// An image body streamed from its generator.
    case image(headers: [(String, String)], generator: ImageBodyGenerator, chunked: Bool, fault: MockFixtures.Fault?)
    /// Send this webhook, then answer with what the receiver said (`POST /__admin/webhooks`).
    case sendWebhook(WebhookDelivery)

    var status: Int {
        switch self {
        case .complete(let status, _, _): return status
        case .image, .sendWebhook: return 200
        }
    }

    // MARK: - Builders

    static let jsonType = ("Content-Type", "application/json; charset=utf-8")

    /// BoldSign's `ErrorResult`: `{"error": "…"}`.
    static func error(_ status: Int, _ message: String, headers: [(String, String)] = []) -> MockReply {
        json(status, .object([(key: "error", value: .string(message))]), headers: headers)
    }

    /// ASP.NET Core's validation `ProblemDetails`, which model-binding failures produce.
    static func problem(field: String, message: String) -> MockReply {
        let body: JSONValue = .object([
            (key: "type", value: .string("https://tools.ietf.org/html/rfc9110#section-15.5.1")),
            (key: "title", value: .string("One or more validation errors occurred.")),
            (key: "status", value: .number(400)),
            (key: "errors", value: .object([(key: field, value: .array([.string(message)]))])),
        ])
        var reply = json(400, body)
        if case .complete(let status, _, let bytes) = reply {
            reply = .complete(status: status, headers: [("Content-Type", "application/problem+json; charset=utf-8")], body: bytes)
        }
        return reply
    }

    /// `value` as a JSON body.
    static func json(_ status: Int, _ value: JSONValue, headers: [(String, String)] = []) -> MockReply {
        encoded(status, value, headers: headers)
    }

    /// `value` JSON-encoded (sorted keys, slashes unescaped).
    static func encoded(_ status: Int, _ value: some Encodable, headers: [(String, String)] = []) -> MockReply {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let body = (try? encoder.encode(value)).map { [UInt8]($0) } ?? Array(#"{"error":"encoding failed"}"#.utf8)
        return .complete(status: status, headers: [jsonType] + headers, body: body)
    }

    /// A fixture's canned response, as written.
    static func canned(_ response: MockFixtures.Fault.Response) -> MockReply {
        .complete(status: response.status, headers: response.headers.sorted { $0.key < $1.key }.map { ($0.key, $0.value) },
                  body: Array(response.body.utf8))
    }

    /// This reply with `extra` headers in front (replacing any of the same name).
    func adding(_ extra: [(String, String)]) -> MockReply {
        guard !extra.isEmpty else { return self }
        switch self {
        case .complete(let status, let headers, let body):
            return .complete(status: status, headers: extra + headers.filter { h in !extra.contains { $0.0 == h.0 } }, body: body)
        case .image(let headers, let generator, let chunked, let fault):
            return .image(headers: extra + headers, generator: generator, chunked: chunked, fault: fault)
        case .sendWebhook:
            return self
        }
    }
}
