import ArgumentParser
import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

/// The values of the options every command takes (read by ``GlobalOptions``). Its defaults are the options' defaults.
struct GlobalSettings: Equatable, Sendable {
    var region = "us"
    var baseURL: String?
    var caFile: String?
    var httpVersion = Configuration.HTTPVersion.automatic.rawValue
    var noSync = false
    var apiKeyFile: String?
    var connectTimeout: Double = 10
    var stallTimeout = 30
    var timeout: Double?
    var retries = 3
    var requireImage = false
    var json = false
    var quiet = false
    var verbose = false

    func validate() throws {
        guard Configuration.Region(rawValue: region) != nil else { throw ValidationError("--region must be us, eu, ca or au") }
        guard Configuration.HTTPVersion(rawValue: httpVersion) != nil else {
            throw ValidationError("--http-version must be automatic, 1.1 or 2")
        }
        // Bounded above too: a value converted to whole milliseconds must not overflow.
        let aYear = 366.0 * 86_400
        guard (0.001...aYear).contains(connectTimeout), (1...Int(aYear)).contains(stallTimeout), timeout.map({ (0.001...aYear).contains($0) }) ?? true else {
            throw ValidationError("timeouts must be positive and at most a year")
        }
        guard (0...20).contains(retries) else { throw ValidationError("--retries must be 0...20") }
    }

    /// Builds the client configuration from the settings and the environment.
    func configuration(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Configuration {
        let credentials: Credentials
        if let apiKeyFile {
            guard let text = try? String(contentsOfFile: apiKeyFile, encoding: .utf8),
                  let key = text.split(whereSeparator: \.isNewline).first.map({ String($0.drop(while: \.isWhitespace).reversed().drop(while: \.isWhitespace).reversed()) }), !key.isEmpty
            else { throw CLIError(.invalidInput, "cannot read an API key from \(apiKeyFile)") }
            credentials = .apiKey(key)
        } else if let key = environment["BOLDSIGN_API_KEY"], !key.isEmpty {
            credentials = .apiKey(key)
        } else if let token = environment["BOLDSIGN_ACCESS_TOKEN"], !token.isEmpty {
            credentials = .bearerToken(token)
        } else {
            throw CLIError(.usage, "no credentials: set BOLDSIGN_API_KEY or BOLDSIGN_ACCESS_TOKEN, or pass --api-key-file")
        }
        var configuration: Configuration
        if let url = baseURL ?? environment["BOLDSIGN_BASE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            configuration = Configuration(baseURL: url, credentials: credentials)
        } else {
            configuration = Configuration(region: Configuration.Region(rawValue: region) ?? .us, credentials: credentials)
        }
        configuration.caFile = caFile.map { FilePath($0) }
        configuration.httpVersion = Configuration.HTTPVersion(rawValue: httpVersion) ?? .automatic
        configuration.durability = noSync ? .unsynced : .synced
        configuration.timeouts.connect = .milliseconds(Int64(connectTimeout * 1000))
        configuration.timeouts.stall = .seconds(stallTimeout)
        configuration.timeouts.call = timeout.map { .milliseconds(Int64($0 * 1000)) }
        configuration.userAgent = "boldsign-idv-cli/0.1"
        configuration.retry.maxAttempts = retries + 1
        configuration.requireImageFormat = requireImage
        return configuration
    }
}

/// The values of the options that pick the signer (read by ``SignerOptions``).
struct SignerSettings: Equatable, Sendable {
    var email: String?
    var countryCode: String?
    var phone: String?
    var order = 1
    var onBehalfOf: String?

    func validate() throws {
        switch (email, countryCode, phone) {
        case (.some, nil, nil), (nil, .some, .some): break
        default: throw ValidationError("give either --email, or --country-code and --phone")
        }
    }

    var signer: Signer {
        if let email { return .email(email) }
        return .phone(countryCode: countryCode ?? "", number: phone ?? "")
    }
}
