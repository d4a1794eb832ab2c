import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

/// A batch manifest: JSON Lines or CSV with a header row, using the API's own field names
/// (`documentId`, `emailId` or `countryCode` + `phoneNumber`, `order`, `fileId`, `onBehalfOf`) plus an
/// optional `output` file name relative to the output directory.
package enum Manifest {
    /// What is wrong with a manifest, naming the line.
    package struct Problem: Error, CustomStringConvertible {
        package var description: String
    }

    /// Reads and checks every line; the first problem names its line.
    package static func load(_ path: String, outputDirectory: FilePath) throws(Problem) -> [BatchItem] {
        let bytes: Data
        do {
            bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            // The system's own words ("No such file or directory", "Is a directory") where there are some.
            let reason = ((error as? CocoaError)?.underlying as? POSIXError).map { Errno(rawValue: $0.code.rawValue).description }
            throw Problem(description: "cannot read manifest \(path): \(reason ?? "\(error)")")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw Problem(description: "manifest \(path) is not UTF-8") }
        let isJSONLines = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
            || (!path.hasSuffix(".csv") && text.first(where: { !$0.isWhitespace }) == "{")
        return try parse(text, isJSONLines: isJSONLines, outputDirectory: outputDirectory)
    }

    /// Checks every line of a manifest's text; the first problem names its line.
    package static func parse(_ text: String, isJSONLines: Bool, outputDirectory: FilePath) throws(Problem) -> [BatchItem] {
        var seen = Set<String>()
        var items: [BatchItem] = []
        // Row by row, so that only the items stay in memory, not every line's fields as well.
        func add(_ line: Int, _ fields: [String: String]) throws(Problem) {
            let item = try item(fields, line: line, outputDirectory: outputDirectory)
            guard seen.insert(item.destination.string).inserted else {
                throw Problem(description: "line \(line): output \(item.destination) is used twice")
            }
            items.append(item)
        }
        if isJSONLines { try jsonLines(text, add) } else { try csv(text, add) }
        return items
    }

    /// Hands each non-blank line's fields to `row`, with its line number.
    static func jsonLines(_ text: String, _ row: (Int, [String: String]) throws(Problem) -> Void) throws(Problem) {
        // Split on the byte, not the Character: "\r\n" is one Character, and grapheme breaking is slow.
        for (index, bytes) in text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false).enumerated() {
            let line = Substring(bytes)
            guard line.contains(where: { !$0.isWhitespace }) else { continue }
            let fields: [String: String]
            do {
                fields = try decodeLine(line)
            } catch let DecodingError.dataCorrupted(context) where context.codingPath.isEmpty == false {
                let key = context.codingPath.first?.stringValue ?? "a field"
                throw Problem(description: "line \(index + 1): \(key) must be a string or a number")
            } catch {
                throw Problem(description: "line \(index + 1): not a JSON object of strings and numbers")
            }
            try row(index + 1, fields)
        }
    }

    /// One JSON Lines line through JSONDecoder, null values left out.
    package static func decodeLine(_ line: Substring) throws -> [String: String] {
        let object = try JSONDecoder().decode([String: ScalarValue].self, from: Data(line.utf8))
        var fields: [String: String] = [:]
        for (key, value) in object {
            if let text = value.text { fields[key] = text }
        }
        return fields
    }

    /// A JSON Lines value: a string, a number (kept as its text) or null.
    private struct ScalarValue: Decodable {
        var text: String?

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() {
                text = nil
            } else if let string = try? container.decode(String.self) {
                text = string
            } else if let integer = try? container.decode(Int64.self) {
                text = String(integer)
            } else if let number = try? container.decode(Double.self) {
                text = String(number)
            } else {
                throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a string or a number")
            }
        }
    }

    /// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks. Hands each
    /// record after the header to `row` as fields named by the header, with its line number.
    static func csv(_ text: String, _ row: (Int, [String: String]) throws(Problem) -> Void) throws(Problem) {
        var records: [(Int, [String])] = []
        var field = ""
        var record: [String] = []
        var quoted = false
        var line = 1
        var recordLine = 1
        var iterator = text.unicodeScalars.makeIterator()
        var pending: Unicode.Scalar? = nil
        func endRecord() {
            record.append(field)
            field = ""
            if !(record.count == 1 && record[0].isEmpty) { records.append((recordLine, record)) }
            record = []
        }
        while let scalar = pending ?? iterator.next() {
            pending = nil
            if quoted {
                if scalar == "\"" {
                    let next = iterator.next()
                    if next == "\"" { field.unicodeScalars.append("\"") } else { quoted = false; pending = next }
                } else {
                    if scalar == "\n" { line += 1 }
                    field.unicodeScalars.append(scalar)
                }
                continue
            }
            switch scalar {
            case "\"" where field.isEmpty: quoted = true
            case ",": record.append(field); field = ""
            case "\r": continue
            case "\n":
                endRecord()
                line += 1
                recordLine = line
            default: field.unicodeScalars.append(scalar)
            }
        }
        if quoted { throw Problem(description: "line \(recordLine): unterminated quoted field") }
        if !field.isEmpty || !record.isEmpty { endRecord() }
        guard let header = records.first else { return }
        let names = header.1.map { String($0.drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed()) }
        for (number, values) in records.dropFirst() {
            guard values.count == names.count else {
                throw Problem(description: "line \(number): \(values.count) fields, the header has \(names.count)")
            }
            var fields: [String: String] = [:]
            for (name, value) in zip(names, values) where !value.isEmpty { fields[name] = value }
            try row(number, fields)
        }
    }

    static let knownFields: Set<String> = ["documentId", "emailId", "countryCode", "phoneNumber", "order", "fileId", "onBehalfOf", "output"]

    static func item(_ fields: [String: String], line: Int, outputDirectory: FilePath) throws(Problem) -> BatchItem {
        func fail(_ message: String) -> Problem { Problem(description: "line \(line): \(message)") }
        if let unknown = fields.keys.filter({ !knownFields.contains($0) }).min() { throw fail("unknown field \(unknown)") }
        guard let documentID = fields["documentId"] else { throw fail("documentId is missing") }
        guard let fileID = fields["fileId"] else { throw fail("fileId is missing") }
        let signer: Signer
        switch (fields["emailId"], fields["countryCode"], fields["phoneNumber"]) {
        case (let email?, nil, nil): signer = .email(email)
        case (nil, let code?, let phone?): signer = .phone(countryCode: code, number: phone)
        default: throw fail("give emailId, or countryCode and phoneNumber")
        }
        var order = 1
        if let text = fields["order"] {
            guard let value = Int(text) else { throw fail("order must be a whole number") }
            order = value
        }
        let request = ImageRequest(documentID: documentID, signer: signer, order: order, fileID: fileID, onBehalfOf: fields["onBehalfOf"])
        do {
            try request.validate()
        } catch {
            throw fail(error.description)
        }
        let name: FilePath
        if let output = fields["output"] {
            name = try safeRelativePath(output, line: line)
        } else {
            name = defaultName(documentID: documentID, fileID: fileID)
        }
        return BatchItem(request: request, destination: outputDirectory.appending(name.components))
    }

    /// A relative path that stays inside the output directory.
    static func safeRelativePath(_ text: String, line: Int) throws(Problem) -> FilePath {
        let path = FilePath(text)
        guard !text.isEmpty, !path.isAbsolute, !path.components.isEmpty,
              path.components.allSatisfy({ $0.kind == .regular }), !text.contains("\0") else {
            throw Problem(description: "line \(line): output \(text.debugDescription) must be a relative path inside the output directory")
        }
        return path
    }

    /// `<documentId>_<fileId>`, with characters unsafe in file names replaced (and a hash added when any were).
    package static func defaultName(documentID: String, fileID: String) -> FilePath {
        let safe = fileID.unicodeScalars.map { scalar -> Character in
            ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
                || scalar == "-" || scalar == "." || scalar == "_" ? Character(scalar) : "_"
        }
        var name = "\(documentID.lowercased())_\(String(safe).prefix(100))"
        if String(safe) != fileID || fileID.hasPrefix(".") {
            var hash: UInt64 = 0xcbf2_9ce4_8422_2325
            for byte in fileID.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
            name += "_" + String(hash, radix: 16)
        }
        return FilePath(name)
    }
}
