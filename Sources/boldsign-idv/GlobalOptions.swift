import ArgumentParser
import BoldSignIDV
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import SystemPackage

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(help: "BoldSign region: us, eu, ca or au.")
    var region: String = "us"

    @Option(help: "API base URL (overrides --region and BOLDSIGN_BASE_URL); http:// only for loopback.")
    var baseURL: String?

    @Option(help: "PEM file of CAs to trust instead of the system's.")
    var caFile: String?

    @Option(help: "File whose first line is the API key (instead of BOLDSIGN_API_KEY).")
    var apiKeyFile: String?

    @Option(help: "Seconds to wait for a connection.")
    var connectTimeout: Double = 10

    @Option(help: "Seconds without progress before giving up.")
    var stallTimeout: Int = 30

    @Option(help: "Retries after the first attempt for 429, 502-504 and connection failures.")
    var retries: Int = 3

    @Flag(help: "Fail (exit 70) when a downloaded body is not a JPEG, PNG, GIF or WebP image.")
    var requireImage = false

    @Flag(help: "Print one JSON result object on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print request details on stderr (never credentials).")
    var verbose = false

    func validate() throws {
        guard Configuration.Region(rawValue: region) != nil else { throw ValidationError("--region must be us, eu, ca or au") }
        guard connectTimeout > 0, stallTimeout > 0 else { throw ValidationError("timeouts must be positive") }
        guard (0...20).contains(retries) else { throw ValidationError("--retries must be 0...20") }
    }

    /// Builds the client configuration from flags and the environment.
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
        configuration.timeouts.connect = .milliseconds(Int64(connectTimeout * 1000))
        configuration.timeouts.stall = .seconds(stallTimeout)
        configuration.userAgent = "boldsign-idv-cli/0.1"
        configuration.retry.maxAttempts = retries + 1
        configuration.requireImageFormat = requireImage
        return configuration
    }
}

/// Options that pick the signer.
struct SignerOptions: ParsableArguments {
    @Option(help: "The signer's email (email delivery).")
    var email: String?

    @Option(help: "The signer's country code, such as +1 (SMS delivery; with --phone).")
    var countryCode: String?

    @Option(help: "The signer's phone number (SMS delivery; with --country-code).")
    var phone: String?

    @Option(help: "The signer's order on the document.")
    var order: Int = 1

    @Option(help: "The sender identity to act on behalf of.")
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

/// An error the CLI reports itself, with its exit status.
struct CLIError: Error {
    var status: ExitStatus
    var message: String

    init(_ status: ExitStatus, _ message: String) {
        self.status = status
        self.message = message
    }
}
