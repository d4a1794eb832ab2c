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

    /// The shortest run of the secret's bytes that counts as the secret: long enough not to hit ordinary
    /// words, short enough that a server (or a cut of ours) that shows only part of the secret shows too
    /// little of it to matter.
    static let shortestRedactedRun = 8

    /// `text` with every run of ``shortestRedactedRun`` or more bytes of the secret replaced by `<redacted>`
    /// (the whole secret, when it is shorter than that), for anything that came from outside: a server's
    /// message, header or body could echo what it was sent, whole or cut short.
    ///
    /// Apply it to the whole text before cutting it to length: a cut can leave a part of the secret too
    /// short to recognise.
    func redacting(_ text: String) -> String {
        let bytes = Array(text.utf8)
        let runs = secretRuns(in: bytes)
        guard !runs.isEmpty else { return text }
        var output: [UInt8] = []
        var position = 0
        for run in runs {
            output += bytes[position..<run.lowerBound]
            output += "<redacted>".utf8
            position = run.upperBound
        }
        output += bytes[position...]
        return String(decoding: output, as: UTF8.self)
    }

    /// Whether `text` holds a run of the secret that ``redacting(_:)`` would replace.
    package func appears(in text: String) -> Bool {
        !secretRuns(in: Array(text.utf8)).isEmpty
    }

    /// The ranges of `bytes`, in order and apart, that are runs of the secret long enough to redact. At each
    /// position the longest run starting there is taken, so no long enough run is left outside them.
    private func secretRuns(in bytes: [UInt8]) -> [Range<Int>] {
        let secretBytes = Array(secret.utf8)
        // A secret of under four bytes is no secret worth hiding, and would match everywhere.
        guard secretBytes.count >= 4 else { return [] }
        let shortest = min(Self.shortestRedactedRun, secretBytes.count)
        var runs: [Range<Int>] = []
        var index = 0
        while index + shortest <= bytes.count {
            var longest = 0
            for start in secretBytes.indices where secretBytes[start] == bytes[index] {
                var length = 1
                while index + length < bytes.count, start + length < secretBytes.count,
                      bytes[index + length] == secretBytes[start + length] {
                    length += 1
                }
                longest = max(longest, length)
            }
            if longest >= shortest {
                runs.append(index..<index + longest)
                index += longest
            } else {
                index += 1
            }
        }
        return runs
    }
}
