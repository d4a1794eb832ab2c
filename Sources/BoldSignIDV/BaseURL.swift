/// A validated API base URL: `https://host[:port][/prefix]`, or `http://` for a loopback host only
/// (credentials must never cross a network in clear text).
struct BaseURL: Sendable, Hashable {
    /// Scheme, host, port and prefix, without a trailing slash.
    let string: String

    init(_ text: String) throws(BoldSignError) {
        func invalid(_ why: String) -> BoldSignError { .invalidConfiguration("baseURL \(why)") }
        var rest = Substring(text)
        let scheme: String
        if rest.lowercased().hasPrefix("https://") {
            scheme = "https"
        } else if rest.lowercased().hasPrefix("http://") {
            scheme = "http"
        } else {
            throw invalid("must start with https:// (or http:// for a loopback host)")
        }
        rest = rest.dropFirst(scheme.count + 3)
        guard !rest.contains(where: { $0.isWhitespace || $0 == "?" || $0 == "#" || $0 == "@" || $0.asciiValue == nil }) else {
            throw invalid("must be a plain ASCII URL without credentials, query or fragment")
        }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = rest[authorityEnd...]
        while path.hasSuffix("/") { path = path.dropLast() }
        let host: Substring
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { throw invalid("has an unterminated IPv6 address") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            guard after.isEmpty || (after.hasPrefix(":") && Self.isPort(after.dropFirst())) else { throw invalid("has a bad port") }
        } else {
            let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
            host = parts[0]
            guard parts.count == 1 || Self.isPort(parts[1]) else { throw invalid("has a bad port") }
        }
        guard !host.isEmpty else { throw invalid("has no host") }
        if scheme == "http", !Self.isLoopback(host.lowercased()) {
            throw invalid("must use https:// (plain http:// is accepted only for localhost, 127.0.0.0/8 and ::1)")
        }
        string = scheme + "://" + authority + path
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 5, text.allSatisfy(\.isASCII), let port = Int(text) else { return false }
        return (1...65535).contains(port)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "0:0:0:0:0:0:0:1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
