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
        try fields.validate()
        let transfer = TransferRequest(
            url: fields.url(base: baseURL.string, endpoint: "report"), body: fields.jsonBody,
            headers: Self.commonHeaders(configuration, accept: "application/json"),
            options: Self.transferOptions(configuration, maxBody: Int64(Self.maxReportBytes)))
        let (result, _) = try await executor.execute(transfer, output: .memory(limit: Self.maxReportBytes), operation: .report,
                                                     timeout: timeout ?? configuration.timeouts.call, logger: logger ?? self.logger)
        return try ReportDecoder.decode(result.body, status: result.status, requestID: ResponseErrors.requestID(result, credentials: configuration.credentials))
    }
}

/// Decodes report bodies, turning anything undecodable into a clear error.
package enum ReportDecoder {
    package static func decode(_ body: [UInt8], status: Int, requestID: String? = nil) throws -> IdentityVerificationReport {
        do {
            return try JSONDecoder().decode(IdentityVerificationReport.self, from: Data(body))
        } catch {
            let snippet = ErrorMessageDecoder.clean(String(decoding: body.prefix(200), as: UTF8.self))
            throw BoldSignError(.decodingFailed, "the report is not valid JSON of the expected shape (\(Self.describe(error))); body starts: \(snippet.isEmpty ? "<empty>" : snippet)",
                                status: status, requestID: requestID)
        }
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
