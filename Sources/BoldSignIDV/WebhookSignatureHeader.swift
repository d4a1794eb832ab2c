/// `X-BoldSign-Signature: t=<unix seconds>, s0=<hex>[, s1=<hex>]`, parsed.
///
/// `s0` is signed with the current secret, `s1` (during a rotation) with the previous one. Unknown keys are
/// ignored, so that BoldSign can add schemes; duplicate known keys make the header malformed.
package struct WebhookSignatureHeader: Sendable, Hashable {
    /// The header's name.
    package static let name = "X-BoldSign-Signature"

    /// When BoldSign signed the call, in Unix seconds.
    package var timestamp: Int64
    /// The HMAC-SHA256 signatures, 32 bytes each, in the order the header gives them (`s0`, then `s1`).
    package var signatures: [[UInt8]]

    /// Parses a header value.
    ///
    /// - Throws: ``WebhookError/Kind/malformedSignature``.
    package init(_ value: String) throws(WebhookError) {
        func malformed(_ why: String) -> WebhookError { WebhookError(.malformedSignature, why) }
        guard value.utf8.count <= 1024 else { throw malformed("the header is longer than 1 KiB") }
        var timestamp: Int64?
        var signatures: [String: [UInt8]] = [:]
        for part in value.split(separator: ",", omittingEmptySubsequences: false) {
            let item = Self.trimmed(part)
            guard let equals = item.firstIndex(of: "=") else { throw malformed("an item has no '='") }
            let key = item[..<equals]
            let text = Array(item[item.index(after: equals)...])
            switch key {
            case "t":
                guard timestamp == nil else { throw malformed("'t' appears twice") }
                guard (1...12).contains(text.count), text.allSatisfy(\.isASCII), text.allSatisfy(\.isNumber),
                      let seconds = Int64(String(text)) else {
                    throw malformed("'t' is not Unix seconds")
                }
                timestamp = seconds
            case "s0", "s1":
                guard signatures[String(key)] == nil else { throw malformed("'\(key)' appears twice") }
                guard let bytes = Self.hexBytes(text), bytes.count == 32 else {
                    throw malformed("'\(key)' is not 64 hexadecimal digits")
                }
                signatures[String(key)] = bytes
            default:
                continue
            }
        }
        guard let timestamp else { throw malformed("there is no 't'") }
        let ordered = ["s0", "s1"].compactMap { signatures[$0] }
        guard !ordered.isEmpty else { throw malformed("there is no 's0' or 's1'") }
        self.timestamp = timestamp
        self.signatures = ordered
    }

    /// Without the spaces and tabs around it ("t=1, s0=…" has a space after each comma).
    private static func trimmed(_ text: Substring) -> Substring {
        var text = text.drop { $0 == " " || $0 == "\t" }
        while let last = text.last, last == " " || last == "\t" { text = text.dropLast() }
        return text
    }

    private static func hexBytes(_ text: [Character]) -> [UInt8]? {
        guard text.count % 2 == 0 else { return nil }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(text.count / 2)
        var index = 0
        while index < text.count {
            guard let high = text[index].hexDigitValue, let low = text[index + 1].hexDigitValue,
                  text[index].isASCII, text[index + 1].isASCII else { return nil }
            bytes.append(UInt8(high << 4 | low))
            index += 2
        }
        return bytes
    }
}
