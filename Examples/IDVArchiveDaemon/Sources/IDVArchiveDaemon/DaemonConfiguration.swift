import BoldSignIDV
import Foundation
import SystemPackage

/// Everything the daemon is told: a JSON file for the settings, the environment (or files) for the secrets.
///
/// Secrets never come from the command line, which every user of the machine can read. Each is taken from
/// its environment variable, else from the file the configuration names, else from systemd's credential
/// directory (`LoadCredential=`), and a missing one stops the daemon at start-up with its name.
struct DaemonConfiguration: Sendable {
    /// The settings file's shape (every key optional but `archiveDirectory` and `databasePath`).
    struct File: Decodable {
        var listenHost: String?
        var listenPort: Int?
        var archiveDirectory: String
        var databasePath: String
        var baseURL: String?
        var caFile: String?
        var concurrency: Int?
        var jobTimeoutSeconds: Int?
        var drainSeconds: Int?
        var idleTimeoutSeconds: Int?
        var maxConnections: Int?
        var apiKeyFile: String?
        var webhookSecretFile: String?
        var previousWebhookSecretFile: String?
    }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    var listenHost: String
    var listenPort: Int
    var archiveDirectory: String
    var databasePath: String
    var baseURL: String?
    var caFile: String?
    var concurrency: Int
    var jobTimeout: Duration
    var drain: Duration
    /// A connection with no request in progress is closed after this long (a request head that never
    /// completes counts as none).
    var idleTimeoutSeconds: Int
    /// Open connections at most (lowered to what the descriptor limit allows); the quietest is closed past it.
    var maxConnections: Int
    var apiKey: String
    var webhookSecret: String
    var previousWebhookSecret: String?

    /// Reads `--config PATH` (or `IDV_DAEMON_CONFIG`) and the secrets.
    static func load(arguments: [String], environment: [String: String]) throws -> DaemonConfiguration {
        var path = environment["IDV_DAEMON_CONFIG"]
        var rest = arguments.dropFirst()
        while let argument = rest.popFirst() {
            guard argument == "--config", let value = rest.popFirst() else {
                throw Invalid(description: "usage: idv-archive-daemon [--config PATH]  (secrets come from the environment or files, never arguments)")
            }
            path = value
        }
        guard let path else { throw Invalid(description: "no configuration: pass --config PATH or set IDV_DAEMON_CONFIG") }
        let file: File
        do {
            file = try JSONDecoder().decode(File.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
        } catch {
            throw Invalid(description: "cannot read the configuration \(path): \(error)")
        }
        let credentials = environment["CREDENTIALS_DIRECTORY"]
        func secret(_ variable: String, file secretFile: String?, credential: String, required: Bool) throws -> String? {
            if let value = environment[variable], !value.isEmpty { return value }
            for candidate in [secretFile, credentials.map { $0 + "/" + credential }].compactMap({ $0 }) {
                if let data = FileManager.default.contents(atPath: candidate) {
                    let value = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
                    if !value.isEmpty { return value }
                }
            }
            guard !required else { throw Invalid(description: "no \(credential): set \(variable), or name a file in the configuration") }
            return nil
        }
        let jobTimeoutSeconds = file.jobTimeoutSeconds ?? 600
        let drainSeconds = file.drainSeconds ?? 20
        let configuration = DaemonConfiguration(
            listenHost: file.listenHost ?? "127.0.0.1",
            listenPort: file.listenPort ?? 8080,
            archiveDirectory: file.archiveDirectory,
            databasePath: file.databasePath,
            baseURL: file.baseURL,
            caFile: file.caFile,
            concurrency: file.concurrency ?? 4,
            jobTimeout: .seconds(jobTimeoutSeconds),
            drain: .seconds(drainSeconds),
            idleTimeoutSeconds: file.idleTimeoutSeconds ?? 30,
            maxConnections: file.maxConnections ?? 4096,
            apiKey: try secret("BOLDSIGN_API_KEY", file: file.apiKeyFile, credential: "boldsign-api-key", required: true) ?? "",
            webhookSecret: try secret("BOLDSIGN_WEBHOOK_SECRET", file: file.webhookSecretFile, credential: "boldsign-webhook-secret", required: true) ?? "",
            previousWebhookSecret: try secret("BOLDSIGN_PREVIOUS_WEBHOOK_SECRET", file: file.previousWebhookSecretFile,
                                              credential: "boldsign-previous-webhook-secret", required: false))
        guard (1...65535).contains(configuration.listenPort), (1...64).contains(configuration.concurrency),
              (1...86_400).contains(jobTimeoutSeconds), (1...3600).contains(drainSeconds),
              (1...3600).contains(configuration.idleTimeoutSeconds), (16...1_000_000).contains(configuration.maxConnections) else {
            throw Invalid(description: """
                listenPort must be 1...65535, concurrency 1...64, jobTimeoutSeconds 1...86400, drainSeconds 1...3600, \
                idleTimeoutSeconds 1...3600, maxConnections 16...1000000
                """)
        }
        return configuration
    }

    /// The library client's configuration.
    var client: BoldSignIDV.Configuration {
        var client = baseURL.map { Configuration(baseURL: $0, credentials: .apiKey(apiKey)) } ?? Configuration(region: .us, credentials: .apiKey(apiKey))
        client.maxConcurrentTransfers = concurrency * 2
        client.caFile = caFile.map { FilePath($0) }
        // The worker stops before the client and waits for its jobs in hand, up to the group's drain bound; what
        // the client still has in flight after that is anything else's, given half the bound.
        client.shutdownGracePeriod = drain / 2
        return client
    }
}
