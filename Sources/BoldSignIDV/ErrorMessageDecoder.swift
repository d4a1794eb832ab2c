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

    package static func message(from body: [UInt8]) -> String? {
        guard !body.isEmpty else { return nil }
        // JSONDecoder refuses invalid UTF-8 outright; repairing it first (U+FFFD) keeps the message of
        // a JSON body with one bad byte instead of falling back to the raw JSON text.
        let repaired = String(decoding: body, as: UTF8.self)
        if let json = try? JSONDecoder().decode(ErrorBody.self, from: Data(repaired.utf8)), let message = json.message {
            return message
        }
        let text = clean(repaired)
        return text.isEmpty ? nil : text
    }

    /// One line, no control characters, bounded length.
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
            if scalars.count >= maxMessageLength { break }
        }
        var result = String(scalars)
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
