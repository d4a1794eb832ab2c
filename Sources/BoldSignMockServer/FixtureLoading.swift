#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Why a fixtures file could not be used.
public struct FixtureError: Error, CustomStringConvertible, Sendable {
    /// What is wrong, naming the file and the place in it.
    public let description: String
}

extension MockFixtures {
    /// Reads and validates fixtures from a JSON file.
    ///
    /// - Throws: ``FixtureError`` naming the file and what is wrong with it.
    public static func load(from path: String) throws -> MockFixtures {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FixtureError(description: "cannot read fixtures file \(path): \(error)")
        }
        return try decode(data, source: path)
    }

    /// Decodes and validates fixtures from JSON bytes; `source` names them in errors.
    public static func decode(_ data: Data, source: String = "fixtures") throws -> MockFixtures {
        let fixtures: MockFixtures
        do {
            fixtures = try JSONDecoder().decode(MockFixtures.self, from: data)
        } catch let error as DecodingError {
            throw FixtureError(description: "invalid fixtures in \(source): \(Self.describe(error))")
        } catch {
            throw FixtureError(description: "invalid fixtures in \(source): \(error)")
        }
        try fixtures.validate(source: source)
        return fixtures
    }

    /// Checks what JSON decoding cannot: ids are well formed and unique, signers are selectable.
    public func validate(source: String = "fixtures") throws {
        func fail(_ message: String) -> FixtureError { FixtureError(description: "invalid fixtures in \(source): \(message)") }
        if credentials.apiKeys.isEmpty && credentials.bearerTokens.isEmpty {
            throw fail("credentials: at least one API key or bearer token is needed")
        }
        var documentIDs = Set<UUID>()
        for (d, document) in documents.enumerated() {
            guard let id = UUID(uuidString: document.id) else {
                throw fail("documents[\(d)].id \"\(document.id)\" is not a UUID")
            }
            guard documentIDs.insert(id).inserted else { throw fail("documents[\(d)].id \(document.id) appears twice") }
            var fileIDs = Set<String>()
            for (s, signer) in document.signers.enumerated() {
                let place = "documents[\(d)].signers[\(s)]"
                let hasEmail = !(signer.emailId ?? "").isEmpty
                let hasPhone = !(signer.countryCode ?? "").isEmpty && !(signer.phoneNumber ?? "").isEmpty
                guard hasEmail || hasPhone else { throw fail("\(place) needs emailId, or countryCode and phoneNumber") }
                for (f, file) in signer.files.enumerated() {
                    guard !file.id.isEmpty else { throw fail("\(place).files[\(f)].id is empty") }
                    guard fileIDs.insert(file.id).inserted else {
                        throw fail("\(place).files[\(f)].id \(file.id) appears twice in one document")
                    }
                }
            }
        }
    }

    private static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            return keys.isEmpty ? "top level" : String(keys.drop { $0 == "." })
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context)): missing key \"\(key.stringValue)\""
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
