import ArgumentParser

/// The arguments of a command that ``FastPath`` can read.
protocol CommandArguments: Sendable {
    /// The options every command takes.
    var global: GlobalSettings { get set }
    /// Throws what the command's swift-argument-parser validation would.
    func validate() throws
}

/// Reads a plain invocation of one subcommand without swift-argument-parser's reflection.
///
/// swift-argument-parser builds its view of the command tree by reflection on first use, which costs
/// a process 3–4 ms (measured: one 1 MiB download per process, 16.3 ms through it and 13.4 ms with
/// this path, the curl CLI 8.9 ms; a one-item batch 18.6 and 14.1 ms) and, for `image`, ~0.9 MiB of
/// peak memory. So the common shape — the subcommand
/// followed only by `--name value` options and `--flag`s its table knows, each once, values that do
/// not start with `-`, and at most its one positional argument — is read here, into the same
/// arguments value its ``AsyncParsableCommand`` produces, with the same value conversions and the
/// same validation. Anything else (help, short or `--name=value` forms, a repeated or unknown option,
/// a missing or invalid value, a failed validation) returns `nil` and goes to swift-argument-parser,
/// which stays the authority for usage, errors, help and completions. The tests hold the two parsers
/// to the same result over generated invocations.
struct FastPath<Arguments: CommandArguments>: Sendable {
    /// The subcommand this path reads.
    let command: String
    /// The arguments before any option is read: the command's defaults.
    let initial: Arguments
    /// Options that take a value, by name without the leading `--`; `false` when the value does not convert.
    let valueOptions: [String: @Sendable (inout Arguments, String) -> Bool]
    /// Flags, by name without the leading `--`.
    let flags: [String: @Sendable (inout Arguments) -> Void]
    /// Options that must be given.
    let required: Set<String>
    /// Sets the command's one positional argument, which must be given; `nil` if it takes none.
    let positional: (@Sendable (inout Arguments, String) -> Void)?

    /// The invocation's arguments, or `nil` when swift-argument-parser must read `arguments` (the
    /// command line without the program's name).
    func arguments(from arguments: [String]) -> Arguments? {
        guard arguments.first == command else { return nil }
        var result = initial
        var seen: Set<String> = []
        var positionalSeen = false
        var index = arguments.index(after: arguments.startIndex)
        while index < arguments.endIndex {
            let token = arguments[index]
            guard token.hasPrefix("--") else {
                guard let positional, !positionalSeen, !token.hasPrefix("-") else { return nil }
                positional(&result, token)
                positionalSeen = true
                index += 1
                continue
            }
            let name = String(token.dropFirst(2))
            guard seen.insert(name).inserted else { return nil }
            if let setFlag = flags[name] {
                setFlag(&result)
                index += 1
            } else if let setValue = valueOptions[name] {
                let valueIndex = index + 1
                guard valueIndex < arguments.endIndex, !arguments[valueIndex].hasPrefix("-"),
                      setValue(&result, arguments[valueIndex])
                else { return nil }
                index += 2
            } else {
                return nil
            }
        }
        guard seen.isSuperset(of: required), positionalSeen || positional == nil else { return nil }
        do {
            try result.validate()
        } catch {
            return nil
        }
        return result
    }

    /// The options of ``GlobalOptions``, for every command's table.
    static var globalValueOptions: [String: @Sendable (inout Arguments, String) -> Bool] {
        [
            "region": { $0.global.region = $1; return true },
            "base-url": { $0.global.baseURL = $1; return true },
            "ca-file": { $0.global.caFile = $1; return true },
            "api-key-file": { $0.global.apiKeyFile = $1; return true },
            "connect-timeout": { arguments, text in convert(text, into: &arguments.global.connectTimeout) },
            "stall-timeout": { arguments, text in convert(text, into: &arguments.global.stallTimeout) },
            "retries": { arguments, text in convert(text, into: &arguments.global.retries) },
        ]
    }

    /// The flags of ``GlobalOptions``, for every command's table.
    static var globalFlags: [String: @Sendable (inout Arguments) -> Void] {
        [
            "require-image": { $0.global.requireImage = true },
            "json": { $0.global.json = true },
            "quiet": { $0.global.quiet = true },
            "verbose": { $0.global.verbose = true },
        ]
    }
}

extension FastPath where Arguments == ImageArguments {
    /// `image`.
    static var image: Self {
        FastPath(
            command: "image",
            initial: ImageArguments(documentId: "", fileId: "", output: ""),
            valueOptions: globalValueOptions.merging([
                "email": { $0.signer.email = $1; return true },
                "country-code": { $0.signer.countryCode = $1; return true },
                "phone": { $0.signer.phone = $1; return true },
                "order": { arguments, text in convert(text, into: &arguments.signer.order) },
                "on-behalf-of": { $0.signer.onBehalfOf = $1; return true },
                "document-id": { $0.documentId = $1; return true },
                "file-id": { $0.fileId = $1; return true },
                "output": { $0.output = $1; return true },
            ]) { global, _ in global },
            flags: globalFlags.merging(["overwrite": { $0.overwrite = true }]) { global, _ in global },
            required: ["document-id", "file-id", "output"],
            positional: nil)
    }
}

extension FastPath where Arguments == BatchArguments {
    /// `batch`.
    static var batch: Self {
        FastPath(
            command: "batch",
            initial: BatchArguments(manifest: "", outputDir: ""),
            valueOptions: globalValueOptions.merging([
                "output-dir": { $0.outputDir = $1; return true },
                "concurrency": { arguments, text in convert(text, into: &arguments.concurrency) },
                "report-file": { $0.reportFile = $1; return true },
            ]) { global, _ in global },
            flags: globalFlags.merging(["overwrite": { $0.overwrite = true }]) { global, _ in global },
            required: ["output-dir"],
            positional: { $0.manifest = $1 })
    }
}

/// Converts `text` as swift-argument-parser would for an option of `value`'s type.
private func convert<Value: ExpressibleByArgument>(_ text: String, into value: inout Value) -> Bool {
    guard let converted = Value(argument: text) else { return false }
    value = converted
    return true
}
