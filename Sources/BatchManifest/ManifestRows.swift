#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The rows of a manifest, each a line number and its fields, read from a ``ManifestLineReader``.
struct ManifestRows {
    private let reader: ManifestLineReader
    private let isJSONLines: Bool
    private var csv = CSVRecords()
    private var header: [String]?
    private var pending: [(Int, [String])] = []

    init(_ reader: ManifestLineReader, isJSONLines: Bool) {
        self.reader = reader
        self.isJSONLines = isJSONLines
    }

    /// The next row with its line number, or nil at the end.
    mutating func next() throws(Manifest.Problem) -> (line: Int, fields: [String: String])? {
        if isJSONLines {
            while let text = try reader.next() {
                guard text.contains(where: { !$0.isWhitespace }) else { continue }
                return (reader.lineNumber, try Self.jsonFields(text, line: reader.lineNumber))
            }
            return nil
        }
        while true {
            if !pending.isEmpty {
                let (line, values) = pending.removeFirst()
                guard let header else {
                    self.header = values.map { String($0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
                    continue
                }
                guard values.count == header.count else {
                    throw Manifest.Problem(description: "line \(line): \(values.count) fields, the header has \(header.count)")
                }
                var fields: [String: String] = [:]
                for (name, value) in zip(header, values) where !value.isEmpty { fields[name] = value }
                return (line, fields)
            }
            guard let text = try reader.next() else {
                pending = try csv.finish()
                if pending.isEmpty { return nil }
                continue
            }
            pending = csv.add(text, line: reader.lineNumber)
        }
    }

    private static func jsonFields(_ text: String, line: Int) throws(Manifest.Problem) -> [String: String] {
        do {
            return try Manifest.decodeLine(Substring(text))
        } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty == false {
            let key = context.codingPath.first?.stringValue ?? "a field"
            throw Manifest.Problem(description: "line \(line): \(key) must be a string or a number")
        } catch {
            throw Manifest.Problem(description: "line \(line): not a JSON object of strings and numbers")
        }
    }
}

/// RFC 4180 records from lines fed one at a time: a quoted field may hold commas, doubled quotes and
/// line breaks, so a record may span lines; it carries the number of the line it began on.
struct CSVRecords {
    private var field = ""
    private var record: [String] = []
    private var quoted = false
    private var recordLine = 1
    /// A quote inside a quoted field that may be the first of a doubled pair.
    private var quoteSeen = false

    /// Takes one line (without its `\n`) and returns the records it completed.
    mutating func add(_ line: String, line number: Int) -> [(Int, [String])] {
        if field.isEmpty, record.isEmpty, !quoted { recordLine = number }
        for scalar in line.unicodeScalars {
            if quoted {
                if quoteSeen {
                    quoteSeen = false
                    if scalar == "\"" { field.unicodeScalars.append("\""); continue }
                    quoted = false
                } else if scalar == "\"" {
                    quoteSeen = true
                    continue
                } else {
                    field.unicodeScalars.append(scalar)
                    continue
                }
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",": record.append(field); field = ""
            case "\r": continue
            default: field.unicodeScalars.append(scalar)
            }
        }
        if quoted, quoteSeen {
            // The line ended right after a closing quote.
            quoteSeen = false
            quoted = false
        }
        if quoted {
            field.unicodeScalars.append("\n")
            return []
        }
        return endRecord()
    }

    /// The last record, when the text did not end with a line break; a quoted field still open is a problem.
    mutating func finish() throws(Manifest.Problem) -> [(Int, [String])] {
        if quoted { throw Manifest.Problem(description: "line \(recordLine): unterminated quoted field") }
        return field.isEmpty && record.isEmpty ? [] : endRecord()
    }

    private mutating func endRecord() -> [(Int, [String])] {
        record.append(field)
        defer {
            field = ""
            record = []
        }
        return record.count == 1 && record[0].isEmpty ? [] : [(recordLine, record)]
    }
}
