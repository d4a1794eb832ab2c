import BoldSignIDV
import CurlTransport
import BatchManifest
import Foundation
import SystemPackage

/// What each fuzz target feeds its input to, and the properties that must hold for every input.
/// A broken property is a crash (`precondition`), which libFuzzer reports with the input.
enum FuzzTarget: String, CaseIterable {
    /// Error bodies: `ErrorMessageDecoder`.
    case errorBody = "error-body"
    /// Report bodies: `ResponseBodyDecoder`.
    case report
    /// Raw response-head lines: `ResponseHeadParser`, then `RateLimitStatus` and the Retry-After/Reset parsers.
    case headers
    /// Batch manifests, as JSON Lines and as CSV: `Manifest.parse`.
    case manifest
    /// Webhook calls: the first line is the `X-BoldSign-Signature` value (`WebhookSignatureHeader`), the rest
    /// the body (`WebhookEvent`).
    case webhook

    func run(_ bytes: [UInt8]) {
        switch self {
        case .errorBody:
            if let message = ErrorMessageDecoder.message(from: bytes) {
                precondition(message.unicodeScalars.count <= ErrorMessageDecoder.maxMessageLength, "message too long")
                precondition(!message.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control character in a message")
                precondition(!message.isEmpty, "empty message instead of nil")
            }
        case .report:
            do {
                _ = try ResponseBodyDecoder.decode(bytes, status: 200)
            } catch let error as BoldSignError {
                precondition(error.kind == .decodingFailed, "a malformed report gave \(error.kind)")
                precondition(!error.description.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control character in an error")
            } catch {
                preconditionFailure("ResponseBodyDecoder threw a non-BoldSignError: \(error)")
            }
        case .headers:
            var parser = ResponseHeadParser()
            var start = 0
            for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") || index == bytes.count - 1 {
                bytes[start...index].withUnsafeBytes { parser.consume($0) }
                start = index + 1
            }
            var kept = 0
            for header in parser.headers { kept += header.name.utf8.count + header.value.utf8.count }
            precondition(kept <= ResponseHeadParser.maxHeaderBytes, "kept \(kept) header bytes, more than the cap")
            precondition(parser.status == 0 || (100...999).contains(parser.status), "status \(parser.status)")
            let now = Date(timeIntervalSince1970: 1_800_000_000)
            if let status = RateLimitStatus(headers: parser.headers, now: now), let retryAfter = status.retryAfter {
                precondition(retryAfter >= .zero, "negative Retry-After")
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if let delay = HTTPHeaderTime.retryAfter(text, now: now) { precondition(delay >= .zero, "negative Retry-After") }
            _ = HTTPHeaderTime.resetTime(text, now: now)
        case .webhook:
            let newline = bytes.firstIndex(of: UInt8(ascii: "\n")) ?? bytes.endIndex
            do {
                let header = try WebhookSignatureHeader(String(decoding: bytes[..<newline], as: UTF8.self))
                precondition((1...2).contains(header.signatures.count) && header.signatures.allSatisfy { $0.count == 32 }, "bad signatures kept")
                precondition(header.timestamp >= 0, "negative timestamp")
            } catch {
                precondition(error.kind == .malformedSignature, "a bad header gave \(error.kind)")
            }
            do {
                let event = try WebhookEvent(decoding: bytes[newline...].dropFirst())
                if let verification = event.identityVerification { precondition(!verification.documentID.isEmpty, "empty document id") }
            } catch {
                precondition(error.kind == .malformedBody, "a bad body gave \(error.kind)")
                precondition(!error.description.unicodeScalars.contains { $0.properties.generalCategory == .control }, "control character in an error")
            }
        case .manifest:
            let text = String(decoding: bytes, as: UTF8.self)
            let root = FilePath("/fuzz/out")
            for isJSONLines in [true, false] {
                guard let items = try? Manifest.parse(text, isJSONLines: isJSONLines, outputDirectory: root) else { continue }
                var destinations = Set<String>()
                for item in items {
                    precondition(item.destination.starts(with: root) && item.destination != root, "\(item.destination) escapes the output directory")
                    precondition(item.destination.components.allSatisfy { $0.kind == .regular }, "\(item.destination) has . or ..")
                    precondition(destinations.insert(item.destination.string).inserted, "two items share \(item.destination)")
                    do { try item.request.validate() } catch { preconditionFailure("an accepted item does not validate: \(error)") }
                }
            }
        }
    }
}
