/// Follows the header lines libcurl hands to `CURLOPT_HEADERFUNCTION` and keeps the final
/// response's status and headers. A new status line (after a `100 Continue`, a proxy's
/// `CONNECT` answer, or a redirect) starts over.
package struct ResponseHeadParser {
    /// Header bytes kept at most; a hostile server's megabytes of headers are dropped, not stored.
    package static let maxHeaderBytes = 64 * 1024

    package private(set) var status = 0
    package private(set) var headers: [(name: String, value: String)] = []
    private var keptBytes = 0

    package init() {}

    /// The final response's `Content-Length`, when it is one plain decimal number.
    package var contentLength: Int64? {
        guard let value = headers.last(where: { $0.name == "content-length" })?.value,
              !value.isEmpty, value.utf8.count <= 18, value.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else { return nil }
        return Int64(value)
    }

    /// Takes one raw header line, CRLF included.
    package mutating func consume(_ line: UnsafeRawBufferPointer) {
        var end = line.count
        while end > 0, line[end - 1] == UInt8(ascii: "\n") || line[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        guard end > 0 else { return }
        let text = UnsafeRawBufferPointer(rebasing: line[0..<end])
        if Self.startsWithHTTP(text) {
            status = Self.statusCode(text)
            headers.removeAll(keepingCapacity: true)
            keptBytes = 0
            return
        }
        guard keptBytes + end <= Self.maxHeaderBytes, let colon = text.firstIndex(of: UInt8(ascii: ":")) else { return }
        keptBytes += end
        let name = String(decoding: text[0..<colon], as: UTF8.self).lowercased()
        var valueStart = colon + 1
        while valueStart < end, text[valueStart] == UInt8(ascii: " ") || text[valueStart] == UInt8(ascii: "\t") { valueStart += 1 }
        var valueEnd = end
        while valueEnd > valueStart, text[valueEnd - 1] == UInt8(ascii: " ") || text[valueEnd - 1] == UInt8(ascii: "\t") { valueEnd -= 1 }
        headers.append((name: name, value: String(decoding: text[valueStart..<valueEnd], as: UTF8.self)))
    }

    private static func startsWithHTTP(_ text: UnsafeRawBufferPointer) -> Bool {
        text.count >= 5 && text[0] == UInt8(ascii: "H") && text[1] == UInt8(ascii: "T") && text[2] == UInt8(ascii: "T")
            && text[3] == UInt8(ascii: "P") && text[4] == UInt8(ascii: "/")
    }

    /// The three digits after the first space of a status line, 0 when they are not there.
    private static func statusCode(_ text: UnsafeRawBufferPointer) -> Int {
        guard let space = text.firstIndex(of: UInt8(ascii: " ")), space + 4 <= text.count else { return 0 }
        var code = 0
        for index in (space + 1)...(space + 3) {
            let digit = Int(text[index]) - Int(UInt8(ascii: "0"))
            guard (0...9).contains(digit) else { return 0 }
            code = code * 10 + digit
        }
        return code >= 100 ? code : 0
    }
}
