#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A validated API base URL: `https://host[:port][/prefix]`, or `http://` for a loopback host only
/// (credentials must never cross a network in clear text).
struct BaseURL: Sendable, Hashable {
    /// Scheme, host, port and prefix, without a trailing slash.
    let string: String
    /// The host, as written (a bracketed IPv6 literal keeps no brackets).
    let host: String
    /// The port, explicit or the scheme's.
    let port: Int

    init(_ text: String) throws(BoldSignError) {
        func invalid(_ why: String) -> BoldSignError { .invalidConfiguration("baseURL \(why)") }
        guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
              scheme == "https" || scheme == "http" else {
            throw invalid("must start with https:// (or http:// for a loopback host)")
        }
        guard text.unicodeScalars.allSatisfy({ $0.isASCII && !$0.properties.isWhitespace }), components.user == nil,
              components.password == nil, components.query == nil, components.fragment == nil else {
            throw invalid("must be a plain ASCII URL without credentials, query or fragment")
        }
        guard let host = components.host, !host.isEmpty else { throw invalid("has no host") }
        if let port = components.port, !(1...65535).contains(port) { throw invalid("has a bad port") }
        if scheme == "http", !Self.isLoopback(host.lowercased()) {
            throw invalid("must use https:// (plain http:// is accepted only for localhost, 127.0.0.0/8 and ::1)")
        }
        var path = Substring(components.percentEncodedPath)
        while path.hasSuffix("/") { path = path.dropLast() }
        string = scheme + "://" + host + (components.port.map { ":\($0)" } ?? "") + path
        self.host = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        port = components.port ?? (scheme == "https" ? 443 : 80)
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "[::1]" || host == "::1" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }
}
