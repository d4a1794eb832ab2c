internal import CCurl

/// The libcurl this process loaded, and whether the package can use it.
///
/// The package compiles against libcurl 7.74's headers and uses nothing newer, so that it runs on
/// Debian 11 (7.74), RHEL 9 (7.76) and Ubuntu 22.04 (7.81) as well as on newer systems.
package struct LibcurlRuntime: Sendable, Hashable {
    /// The oldest libcurl supported, as `curl_version_info` numbers versions (`0xXXYYZZ`): 7.74.0.
    package static let floorVersionNumber = 0x07_4A_00

    /// The version as libcurl spells it, such as `7.88.1`.
    package var version: String
    /// The version as `0xXXYYZZ`.
    package var versionNumber: Int
    /// Whether it was built with a TLS library (`CURL_VERSION_SSL`): the API is HTTPS only.
    package var hasTLS: Bool
    /// Whether it was built with HTTP/2 (`CURL_VERSION_HTTP2`); without it, HTTPS is HTTP/1.1 only.
    package var hasHTTP2: Bool

    /// Creates a description of a libcurl (tests describe ones this process did not load).
    package init(version: String, versionNumber: Int, hasTLS: Bool, hasHTTP2: Bool) {
        self.version = version
        self.versionNumber = versionNumber
        self.hasTLS = hasTLS
        self.hasHTTP2 = hasHTTP2
    }

    /// The libcurl this process loaded.
    package static let current: LibcurlRuntime = {
        guard let info = ccurl_version_info() else {
            return LibcurlRuntime(version: "unknown", versionNumber: 0, hasTLS: false, hasHTTP2: false)
        }
        let features = Int(info.pointee.features)
        return LibcurlRuntime(
            version: info.pointee.version.map { String(cString: $0) } ?? "unknown",
            versionNumber: Int(info.pointee.version_num),
            hasTLS: features & Int(CURL_VERSION_SSL) != 0,
            hasHTTP2: features & Int(CURL_VERSION_HTTP2) != 0)
    }()

    /// Why the package cannot use this libcurl, or nil when it can.
    package var problem: String? {
        if versionNumber < Self.floorVersionNumber {
            return "libcurl \(version) is older than 7.74.0, the oldest this package supports (Debian 11's; RHEL 9 has 7.76, Ubuntu 22.04 7.81)"
        }
        if !hasTLS {
            return "libcurl \(version) was built without TLS, and BoldSign's API is HTTPS only (install the OpenSSL flavour: libcurl4-openssl-dev on Debian and Ubuntu, libcurl-devel on RHEL)"
        }
        return nil
    }
}
