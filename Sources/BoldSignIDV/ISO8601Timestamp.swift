#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Parses the ISO 8601 timestamps the API sends (`2026-01-15T10:30:00Z`, with optional fraction and offset).
enum ISO8601Timestamp {
    /// `ISO8601FormatStyle` does the calendar but takes more than RFC 3339 allows (an hour of 25 rolls over
    /// into the next day, trailing text is ignored), so the text's shape and ranges are checked first.
    static func parse(_ text: String) -> Date? {
        let shape = /(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?([Zz]|[+-]\d{2}:\d{2})?/
        guard text.unicodeScalars.allSatisfy(\.isASCII), let match = try? shape.wholeMatch(in: text),
              let month = Int(match.2), (1...12).contains(month), let day = Int(match.3), (1...31).contains(day),
              let hour = Int(match.4), hour < 24, let minute = Int(match.5), minute < 60, let second = Int(match.6), second <= 60
        else { return nil }
        // A timestamp without a zone is BoldSign's UTC.
        let normalized = text.uppercased() + (match.8 == nil ? "Z" : "")
        return try? Date(normalized, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }
}
