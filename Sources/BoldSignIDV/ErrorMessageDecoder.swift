#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Reads the server's message out of an error body, whatever shape it has: BoldSign's
/// `{"error": "…"}`, ASP.NET Core's ProblemDetails, plain text, or nothing.
package enum ErrorMessageDecoder {
    /// Longest message kept; error pages can be large and only the start is useful.
    package static let maxMessageLength = 500

    /// The server's message in an error body, fit to show: with `credentials`' secret redacted (before
    /// the cut, so that no part of it long enough to matter survives it), one line, at most
    /// ``maxMessageLength`` characters; nil when the body says nothing.
    package static func message(from body: [UInt8], credentials: Credentials? = nil) -> String? {
        guard !body.isEmpty else { return nil }
        // JSONDecoder refuses invalid UTF-8 outright; repairing it first (U+FFFD) keeps the message of
        // a JSON body with one bad byte instead of falling back to the raw JSON text.
        let repaired = String(decoding: body, as: UTF8.self)
        var text: String
        if let json = try? JSONDecoder().decode(ErrorBody.self, from: Data(repaired.utf8)), let message = json.message {
            text = message
        } else {
            text = clean(repaired)
        }
        if let credentials { text = credentials.redacting(text) }
        let message = cut(text, to: maxMessageLength)
        return message.isEmpty ? nil : message
    }

    /// The start of a text a server sent (a header, a body), fit to show: the secret redacted before the
    /// cut, one line, at most `limit` characters.
    package static func quote(_ bytes: some Collection<UInt8>, limit: Int, credentials: Credentials) -> String {
        // A run of the secret that starts inside the first `limit` bytes ends within this many.
        let context = bytes.prefix(limit + credentials.secret.utf8.count)
        return cut(clean(credentials.redacting(String(decoding: context, as: UTF8.self))), to: limit)
    }

    /// One line, no control characters: every run of white space and control characters becomes one space.
    static func clean(_ text: String) -> String {
        var scalars = String.UnicodeScalarView()
        var lastWasSpace = true
        for scalar in text.unicodeScalars {
            let isSpace = scalar.isControlCharacter || scalar.properties.isWhitespace
            if isSpace {
                if !lastWasSpace { scalars.append(" ") }
            } else {
                scalars.append(scalar)
            }
            lastWasSpace = isSpace
        }
        var result = String(scalars)
        while result.hasSuffix(" ") { result.removeLast() }
        return result
    }

    /// The first `limit` Unicode scalars of `text`, without trailing spaces.
    static func cut(_ text: String, to limit: Int) -> String {
        var result = String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit)))
        while result.hasSuffix(" ") { result.removeLast() }
        return result
    }

    /// The union of the shapes seen: every field optional, wrong types ignored, and a field that is
    /// empty once cleaned (`" "`, control characters only) counts as absent.
    private struct ErrorBody: Decodable {
        /// Already cleaned; nil when no field says anything.
        var message: String?

        private enum Keys: String, CodingKey {
            case error, title, detail, errors, message
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: Keys.self)
            func text(_ key: Keys) -> String? {
                guard let value = (try? container.decodeIfPresent(String.self, forKey: key)) ?? nil else { return nil }
                let cleaned = ErrorMessageDecoder.clean(value)
                return cleaned.isEmpty ? nil : cleaned
            }
            let errors = (try? container.decodeIfPresent([String: [String]].self, forKey: .errors)) ?? nil
            if let error = text(.error) {
                message = error
            } else if let plain = text(.message) {
                message = plain
            } else {
                // ProblemDetails: the title, then each field's complaints.
                var parts: [String] = []
                if let title = text(.title) { parts.append(title) }
                if let detail = text(.detail) { parts.append(detail) }
                if let errors {
                    for key in errors.keys.sorted() {
                        let messages = errors[key, default: []].joined(separator: " ")
                        parts.append(key.isEmpty ? messages : "\(key): \(messages)")
                    }
                }
                let joined = ErrorMessageDecoder.clean(parts.joined(separator: " "))
                message = joined.isEmpty ? nil : joined
            }
        }
    }
}
