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

    /// What a first pass over a manifest found: it is well formed, with this many items.
    package struct Checked: Sendable {
        /// The manifest's path.
        package var path: String
        /// JSON Lines (else CSV).
        package var isJSONLines: Bool
        /// The output directory item paths are relative to.
        package var outputDirectory: FilePath
        /// How many items it holds.
        package var count: Int
        /// The directories its items go into, each once.
        package var directories: Set<FilePath>

        /// Its items, read from the file again as they are asked for: memory does not grow with the
        /// manifest. Should the file have changed since it was checked, the items end at the first line
        /// that no longer reads, and ``ManifestItems/problem`` says so.
        package var items: ManifestItems { ManifestItems(checked: self) }
    }

    /// Checks every line of the manifest at `path` in one streaming pass (a second only when two lines
    /// may name the same output); the first problem names its line. Nothing but the counts is kept.
    package static func check(_ path: String, outputDirectory: FilePath) throws(Problem) -> Checked {
        let isJSONLines = try detectJSONLines(path)
        var rows = ManifestRows(try ManifestLineReader(path: path), isJSONLines: isJSONLines)
        var outputs = DuplicateOutputs()
        var count = 0
        var directories = Set<FilePath>()
        while let (line, fields) = try rows.next() {
            let item = try item(fields, line: line, outputDirectory: outputDirectory)
            outputs.insert(item.destination.string)
            directories.insert(item.destination.removingLastComponent())
            count += 1
        }
        if outputs.mayHaveDuplicates {
            var again = ManifestRows(try ManifestLineReader(path: path), isJSONLines: isJSONLines)
            while let (line, fields) = try again.next() {
                let destination = try item(fields, line: line, outputDirectory: outputDirectory).destination
                if outputs.isSecondUse(of: destination.string) { throw Problem(description: "line \(line): output \(destination) is used twice") }
            }
        }
        return Checked(path: path, isJSONLines: isJSONLines, outputDirectory: outputDirectory, count: count, directories: directories)
    }

    /// Checks every line of a manifest's text and returns its items (for text already in memory).
    package static func parse(_ text: String, isJSONLines: Bool, outputDirectory: FilePath) throws(Problem) -> [BatchItem] {
        var rows = ManifestRows(ManifestLineReader(text: text), isJSONLines: isJSONLines)
        var seen = Set<String>()
        var items: [BatchItem] = []
        while let (line, fields) = try rows.next() {
            let item = try item(fields, line: line, outputDirectory: outputDirectory)
            guard seen.insert(item.destination.string).inserted else {
                throw Problem(description: "line \(line): output \(item.destination) is used twice")
            }
            items.append(item)
        }
        return items
    }

    /// JSON Lines by the name's extension (`.jsonl`, `.ndjson`; `.csv` is CSV), else by whether the first
    /// character that is not white space is `{`.
    private static func detectJSONLines(_ path: String) throws(Problem) -> Bool {
        if path.hasSuffix(".jsonl") || path.hasSuffix(".ndjson") { return true }
        if path.hasSuffix(".csv") { return false }
        let reader = try ManifestLineReader(path: path)
        while let line = try reader.next() {
            if let first = line.first(where: { !$0.isWhitespace }) { return first == "{" }
        }
        return false
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
