import BoldSignIDV
import Foundation
import SystemPackage

/// A batch manifest: JSON Lines or CSV with a header row, using the API's own field names
/// (`documentId`, `emailId` or `countryCode` + `phoneNumber`, `order`, `fileId`, `onBehalfOf`) plus an
/// optional `output` file name relative to the output directory.
enum Manifest {
    struct Problem: Error, CustomStringConvertible {
        var description: String
    }

    /// Reads and checks every line; the first problem names its line.
    static func load(_ path: String, outputDirectory: FilePath) throws -> [BatchItem] {
        guard let data = FileManager.default.contents(atPath: path) else { throw Problem(description: "cannot read manifest \(path)") }
        guard let text = String(data: data, encoding: .utf8) else { throw Problem(description: "manifest \(path) is not UTF-8") }
        let isJSONLines = path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson")
            || (!path.hasSuffix(".csv") && text.first(where: { !$0.isWhitespace }) == "{")
        let rows = isJSONLines ? try jsonLines(text) : try csv(text)
        var seen = Set<String>()
        return try rows.map { line, fields in
            let item = try item(fields, line: line, outputDirectory: outputDirectory)
            guard seen.insert(item.destination.string).inserted else {
                throw Problem(description: "line \(line): output \(item.destination) is used twice")
            }
            return item
        }
    }

    static func jsonLines(_ text: String) throws -> [(Int, [String: String])] {
        var rows: [(Int, [String: String])] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !trimmed.isEmpty else { continue }
            guard let object = try? JSONSerialization.jsonObject(with: Data(trimmed.utf8)) as? [String: Any] else {
                throw Problem(description: "line \(index + 1): not a JSON object")
            }
            var fields: [String: String] = [:]
            for (key, value) in object {
                switch value {
                case let string as String: fields[key] = string
                case let number as NSNumber: fields[key] = number.stringValue
                case is NSNull: continue
                default: throw Problem(description: "line \(index + 1): \(key) must be a string or a number")
                }
            }
            rows.append((index + 1, fields))
        }
        return rows
    }

    /// RFC 4180 CSV: quoted fields may hold commas, quotes (doubled) and line breaks.
    static func csv(_ text: String) throws -> [(Int, [String: String])] {
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
        guard let header = records.first else { return [] }
        let names = header.1.map { $0.trimmingCharacters(in: .whitespaces) }
        return try records.dropFirst().map { number, values in
            guard values.count == names.count else {
                throw Problem(description: "line \(number): \(values.count) fields, the header has \(names.count)")
            }
            var fields: [String: String] = [:]
            for (name, value) in zip(names, values) where !value.isEmpty { fields[name] = value }
            return (number, fields)
        }
    }

    static let knownFields: Set<String> = ["documentId", "emailId", "countryCode", "phoneNumber", "order", "fileId", "onBehalfOf", "output"]

    static func item(_ fields: [String: String], line: Int, outputDirectory: FilePath) throws -> BatchItem {
        func fail(_ message: String) -> Problem { Problem(description: "line \(line): \(message)") }
        if let unknown = fields.keys.sorted().first(where: { !knownFields.contains($0) }) { throw fail("unknown field \(unknown)") }
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
        let name = try fields["output"].map { try safeRelativePath($0, line: line) } ?? defaultName(documentID: documentID, fileID: fileID)
        return BatchItem(request: request, destination: outputDirectory.appending(name.components))
    }

    /// A relative path that stays inside the output directory.
    static func safeRelativePath(_ text: String, line: Int) throws -> FilePath {
        let path = FilePath(text)
        guard !text.isEmpty, !path.isAbsolute, !path.components.isEmpty,
              path.components.allSatisfy({ $0.kind == .regular }), !text.contains("\0") else {
            throw Problem(description: "line \(line): output \(text.debugDescription) must be a relative path inside the output directory")
        }
        return path
    }

    /// `<documentId>_<fileId>`, with characters unsafe in file names replaced (and a hash added when any were).
    static func defaultName(documentID: String, fileID: String) -> FilePath {
        let safe = fileID.unicodeScalars.map { scalar -> Character in
            scalar.properties.isAlphabetic && scalar.isASCII || ("0"..."9").contains(scalar) || scalar == "-" || scalar == "." || scalar == "_"
                ? Character(scalar) : "_"
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
