/// How the client authenticates: an API key (`X-API-KEY`) or an OAuth access token (`Authorization: Bearer`).
///
/// The secret never appears in a description, a debug description, a mirror, a log line or an error.
public struct Credentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    enum Kind: Sendable, Hashable {
        case apiKey
        case bearerToken
    }

    let kind: Kind
    let secret: String

    /// An API key from BoldSign's API settings, sent as `X-API-KEY`.
    public static func apiKey(_ key: String) -> Credentials { Credentials(kind: .apiKey, secret: key) }

    /// An OAuth 2.0 access token, sent as `Authorization: Bearer …`.
    public static func bearerToken(_ token: String) -> Credentials { Credentials(kind: .bearerToken, secret: token) }

    /// `apiKey(<redacted>)` or `bearerToken(<redacted>)`.
    public var description: String { kind == .apiKey ? "apiKey(<redacted>)" : "bearerToken(<redacted>)" }
    /// Same as ``description``.
    public var debugDescription: String { description }
    /// A mirror without the secret, so `dump()` cannot print it.
    public var customMirror: Mirror { Mirror(self, children: ["kind": description], displayStyle: .struct) }

    /// The header line that carries the secret.
    var headerLine: String {
        switch kind {
        case .apiKey: return "X-API-KEY: \(secret)"
        case .bearerToken: return "Authorization: Bearer \(secret)"
        }
    }

    /// `text` with every occurrence of the secret replaced, for anything that came from outside
    /// (a server's error message could echo what it was sent).
    func redacting(_ text: String) -> String {
        guard secret.count >= 4, text.contains(secret) else { return text }
        return text.replacing(secret, with: "<redacted>")
    }
}
