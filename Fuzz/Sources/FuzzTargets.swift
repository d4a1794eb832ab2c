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
    /// A whole response head and body as a hostile server could send it, through everything the client
    /// does with one: the error it becomes, the retry it plans, the rate-limit state it leaves. No trap, every
    /// wait bounded, and no run of the credential in any text made of it.
    case responseHead = "response-head"
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
        case .responseHead:
            Self.runResponseHead(bytes)
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

    /// The credential a hostile server echoes in the seeds (`Fuzz/Corpus/response-head`).
    static let canary = "sk-fuzz-0123456789abcdefghij"

    /// The longest wait any header may cause: a week (the cap on `Retry-After`) and the limiter's margin.
    static let longestWait: Double = 7 * 86_400 + 1

    private static func runResponseHead(_ bytes: [UInt8]) {
        var parser = ResponseHeadParser()
        var start = 0
        var bodyStart = bytes.endIndex
        for index in bytes.indices where bytes[index] == UInt8(ascii: "\n") {
            let line = bytes[start...index]
            start = index + 1
            if line.allSatisfy({ $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }), parser.status != 0 {
                bodyStart = start
                break
            }
            line.withUnsafeBytes { parser.consume($0) }
        }
        let body = Array(bytes[min(bodyStart, bytes.endIndex)...].prefix(65_536))
        let credentials = Credentials.apiKey(canary)
        let error = ResponseErrors.error(status: parser.status, headers: parser.headers, errorBody: body, credentials: credentials)
        for text in [error.description, String(reflecting: error), error.serverMessage ?? "", error.requestID ?? ""] {
            precondition(!credentials.appears(in: text), "the credential reached an error's text: \(text)")
        }
        if let retryAfter = error.retryAfter {
            precondition(retryAfter >= .zero && retryAfter.seconds <= longestWait, "a wait of \(retryAfter)")
        }
        if let delay = RetryPlanner.delay(after: error, attempt: 1, policy: .default, outputRewindable: true) {
            precondition(delay >= .zero && delay <= RetryPolicy.default.maxServerRequestedDelay, "a retry after \(delay)")
        }
        do {
            _ = try ResponseBodyDecoder.decode(body, status: parser.status, credentials: credentials)
        } catch let failure as BoldSignError {
            precondition(!credentials.appears(in: failure.description), "the credential reached a decoding error: \(failure)")
        } catch {
            preconditionFailure("ResponseBodyDecoder threw a non-BoldSignError: \(error)")
        }
        // The limiter, fed the response at a fixed time: whatever it then asks to wait is bounded.
        let now = 1_800_000_000.0
        var state = RateLimitState(settings: .default)
        _ = state.acquire(now: now)
        state.release(RateLimitStatus(headers: parser.headers, now: Date(timeIntervalSince1970: now)), status: parser.status, now: now)
        for later in [now, now + 1, now + 3600] {
            if let wait = state.acquire(now: later) {
                precondition(wait > 0 && wait <= longestWait, "the limiter asks for a wait of \(wait) s")
                _ = Duration.seconds(wait, rounding: .up)
            }
        }
    }
}
