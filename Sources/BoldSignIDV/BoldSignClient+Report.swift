#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
internal import CurlTransport
import Logging

extension BoldSignClient {
    /// The largest report body accepted; real reports are a few hundred bytes.
    static let maxReportBytes = 1 << 20

    /// Fetches the identity-verification report of one signer: `POST /v1/identityVerification/report`.
    ///
    /// - Parameters:
    ///   - documentID: The document's id (a UUID).
    ///   - signer: The signer, by email or by phone.
    ///   - order: The signer's order on the document.
    ///   - onBehalfOf: The sender identity to act on behalf of, if any.
    ///   - timeout: The call's deadline (see ``Configuration/Timeouts/call``, which it overrides).
    ///   - logger: Overrides the client's logger for this request.
    /// - Returns: The decoded report; its ``IdentityVerificationReport/imageFiles`` are the file ids to download.
    /// - Throws: ``BoldSignError``; a body that is not a report is ``BoldSignError/Kind/decodingFailed`` with the status
    ///   and the start of the body in its message.
    public func report(
        documentID: String, signer: Signer, order: Int = 1, onBehalfOf: String? = nil, timeout: Duration? = nil, logger: Logger? = nil
    ) async throws -> IdentityVerificationReport {
        let fields = RequestFields(documentID: documentID, signer: signer, order: order, fileID: nil, onBehalfOf: onBehalfOf)
        let (body, status, requestID) = try await jsonCall(fields, endpoint: "report", operation: .report, timeout: timeout, logger: logger)
        return try ResponseBodyDecoder.decode(IdentityVerificationReport.self, what: "the report", from: body, status: status, requestID: requestID,
                                              credentials: configuration.credentials)
    }

    /// Creates a link that embeds BoldSign's manual identity verification, for a signer whose automatic
    /// verification failed: `POST /v1/identityVerification/createEmbeddedVerificationUrl`.
    ///
    /// - Parameters:
    ///   - request: The document, the signer and where to send the sender afterwards.
    ///   - timeout: The call's deadline (see ``Configuration/Timeouts/call``, which it overrides).
    ///   - logger: Overrides the client's logger for this request.
    /// - Returns: The link to open (an absolute URL).
    /// - Throws: ``BoldSignError``: ``BoldSignError/Kind/badRequest`` for a signer whose verification did not fail;
    ///   ``BoldSignError/Kind/decodingFailed`` when the answer holds no absolute URL.
    public func createEmbeddedVerificationURL(
        _ request: EmbeddedVerificationRequest, timeout: Duration? = nil, logger: Logger? = nil
    ) async throws -> URL {
        let (body, status, requestID) = try await jsonCall(request.fields, endpoint: "createEmbeddedVerificationUrl",
                                                           operation: .embeddedVerificationURL, timeout: timeout, logger: logger)
        let link = try ResponseBodyDecoder.decode(EmbeddedFileLink.self, what: "the embedded verification link", from: body, status: status,
                                                  requestID: requestID, credentials: configuration.credentials)
        guard let text = link.url, let url = URL(string: text), url.scheme != nil, url.host?.isEmpty == false else {
            throw BoldSignError(.decodingFailed, "the embedded verification answer holds no absolute URL", status: status, requestID: requestID)
        }
        return url
    }

    /// The identity-verification calls that answer JSON: validates `fields`, posts them to `endpoint` and
    /// returns the 2xx body (at most ``maxReportBytes``).
    private func jsonCall(
        _ fields: RequestFields, endpoint: String, operation: ClientMetrics.Operation, timeout: Duration?, logger: Logger?
    ) async throws -> (body: [UInt8], status: Int, requestID: String?) {
        try fields.validate()
        let transfer = TransferRequest(
            url: fields.url(base: baseURL.string, endpoint: endpoint), body: fields.jsonBody,
            headers: Self.commonHeaders(configuration, accept: "application/json"),
            options: Self.transferOptions(configuration, maxBody: Int64(Self.maxReportBytes)))
        let (result, _) = try await executor.execute(transfer, output: .memory(limit: Self.maxReportBytes), operation: operation,
                                                     timeout: timeout ?? configuration.timeouts.call, logger: logger ?? self.logger)
        return (result.body, result.status, ResponseErrors.requestID(result, credentials: configuration.credentials))
    }
}

/// Decodes JSON answers, turning anything undecodable into a clear error.
package enum ResponseBodyDecoder {
    /// A report body (what the fuzz target and the CLI's tests feed it).
    package static func decode(_ body: [UInt8], status: Int, requestID: String? = nil,
                               credentials: Credentials = .apiKey("")) throws -> IdentityVerificationReport {
        try decode(IdentityVerificationReport.self, what: "the report", from: body, status: status, requestID: requestID, credentials: credentials)
    }

    /// Decodes `body`; refuses an answer any of whose strings echoes the credentials, which the caller would
    /// otherwise print, store or hand on (a report's field, a link meant for a signer's browser).
    static func decode<Value: Decodable>(
        _ type: Value.Type, what: String, from body: [UInt8], status: Int, requestID: String?, credentials: Credentials
    ) throws -> Value {
        let value: Value
        do {
            value = try JSONDecoder().decode(Value.self, from: Data(body))
        } catch {
            let detail = ErrorMessageDecoder.quote(Array(Self.describe(error).utf8), limit: 300, credentials: credentials)
            let snippet = ErrorMessageDecoder.quote(body, limit: 200, credentials: credentials)
            throw BoldSignError(.decodingFailed, "\(what) is not valid JSON of the expected shape (\(detail)); body starts: \(snippet.isEmpty ? "<empty>" : snippet)",
                                status: status, requestID: requestID)
        }
        // Decoded again as strings alone, so that JSON escapes cannot hide an echo from the check.
        if let strings = try? JSONDecoder().decode(JSONStrings.self, from: Data(body)), strings.all.contains(where: credentials.appears(in:)) {
            throw BoldSignError(.decodingFailed, "\(what) echoes the request's credentials, so it was refused", status: status, requestID: requestID)
        }
        return value
    }

    private static func describe(_ error: any Error) -> String {
        guard let error = error as? DecodingError else { return "\(error)" }
        switch error {
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .keyNotFound(_, let context), .dataCorrupted(let context):
            let path = context.codingPath.map(\.stringValue).joined(separator: ".")
            return path.isEmpty ? context.debugDescription : "\(path): \(context.debugDescription)"
        @unknown default:
            return "\(error)"
        }
    }
}

/// Every string of a JSON document — object keys, values, array elements — however deeply nested.
private struct JSONStrings: Decodable {
    var all: [String] = []

    private struct AnyKey: CodingKey {
        var stringValue: String
        var intValue: Int?
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { return nil }
    }

    init(from decoder: any Decoder) throws {
        if let object = try? decoder.container(keyedBy: AnyKey.self) {
            for key in object.allKeys {
                all.append(key.stringValue)
                if let nested = try? object.decode(JSONStrings.self, forKey: key) { all += nested.all }
            }
        } else if var array = try? decoder.unkeyedContainer() {
            while !array.isAtEnd {
                guard let nested = try? array.decode(JSONStrings.self) else { break }
                all += nested.all
            }
        } else if let text = try? decoder.singleValueContainer().decode(String.self) {
            all.append(text)
        }
    }
}
