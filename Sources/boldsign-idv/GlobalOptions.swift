import ArgumentParser
import BoldSignIDV

/// Options every command takes (their values: ``GlobalSettings``).
struct GlobalOptions: ParsableArguments {
    @Option(help: "BoldSign region: us, eu, ca or au.")
    var region: String = GlobalSettings().region

    @Option(help: "API base URL (overrides --region and BOLDSIGN_BASE_URL); http:// only for loopback.")
    var baseURL: String?

    @Option(help: "PEM file of CAs to trust instead of the system's.")
    var caFile: String?

    @Option(help: "HTTP version to offer: automatic (HTTP/2 where the server offers it), 1.1 or 2.")
    var httpVersion: String = GlobalSettings().httpVersion

    @Option(help: "File whose first line is the API key (instead of BOLDSIGN_API_KEY).")
    var apiKeyFile: String?

    @Option(help: "Seconds to wait for a connection.")
    var connectTimeout: Double = GlobalSettings().connectTimeout

    @Option(help: "Seconds without progress before giving up.")
    var stallTimeout: Int = GlobalSettings().stallTimeout

    @Option(help: "Seconds each request (each item of a batch) may take in all: rate-limit waits, attempts and retries.")
    var timeout: Double?

    @Option(help: "Retries after the first attempt for 429, 502-504 and connection failures.")
    var retries: Int = GlobalSettings().retries

    @Flag(help: "Fail (exit 70) when a downloaded body is not a JPEG, PNG, GIF or WebP image.")
    var requireImage = false

    @Flag(help: "Do not sync images to disk before they appear (faster; a crash soon after may leave one empty or missing).")
    var noSync = false

    @Flag(help: "Print one JSON result object on stdout.")
    var json = false

    @Flag(name: .shortAndLong, help: "Print nothing but errors.")
    var quiet = false

    @Flag(name: .shortAndLong, help: "Print request details on stderr (never credentials).")
    var verbose = false

    var settings: GlobalSettings {
        GlobalSettings(region: region, baseURL: baseURL, caFile: caFile, httpVersion: httpVersion, noSync: noSync, apiKeyFile: apiKeyFile, connectTimeout: connectTimeout,
                       stallTimeout: stallTimeout, timeout: timeout, retries: retries, requireImage: requireImage, json: json, quiet: quiet,
                       verbose: verbose)
    }

    func validate() throws { try settings.validate() }
}

/// Options that pick the signer (their values: ``SignerSettings``).
struct SignerOptions: ParsableArguments {
    @Option(help: "The signer's email (email delivery).")
    var email: String?

    @Option(help: "The signer's country code, such as +1 (SMS delivery; with --phone).")
    var countryCode: String?

    @Option(help: "The signer's phone number (SMS delivery; with --country-code).")
    var phone: String?

    @Option(help: "The signer's order on the document.")
    var order: Int = SignerSettings().order

    @Option(help: "The sender identity to act on behalf of.")
    var onBehalfOf: String?

    var settings: SignerSettings {
        SignerSettings(email: email, countryCode: countryCode, phone: phone, order: order, onBehalfOf: onBehalfOf)
    }

    func validate() throws { try settings.validate() }

    var signer: Signer { settings.signer }
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
