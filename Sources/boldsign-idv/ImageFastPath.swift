import ArgumentParser

/// Reads a plain `image` invocation without swift-argument-parser's reflection.
///
/// swift-argument-parser builds its view of the command tree by reflection on first use, which costs
/// a one-image process ~3 ms, a fifth of its life (measured, one 1 MiB download per process: 16.3 ms
/// through it, 13.4 ms with this path, the curl CLI 8.9 ms). So the common shape — `image` followed only by
/// `--name value` options and `--flag`s this table knows, each once, with values that do not start
/// with `-` — is read here, into the same ``ImageArguments`` that ``ImageCommand`` produces, with
/// the same value conversions and the same validation. Anything else (help, short or `--name=value`
/// forms, a repeated or unknown option, a missing or invalid value, a failed validation) returns
/// `nil` and goes to swift-argument-parser, which stays the authority for usage, errors, help and
/// completions. The tests hold the two parsers to the same result over generated invocations.
enum ImageFastPath {
    /// The subcommand this path reads.
    static let command = "image"

    /// Options that take a value, by name without the leading `--`.
    static let valueOptions: [String: @Sendable (inout ImageArguments, String) -> Bool] = [
        "region": { $0.global.region = $1; return true },
        "base-url": { $0.global.baseURL = $1; return true },
        "ca-file": { $0.global.caFile = $1; return true },
        "api-key-file": { $0.global.apiKeyFile = $1; return true },
        "connect-timeout": { arguments, text in assign(text, to: &arguments.global.connectTimeout) },
        "stall-timeout": { arguments, text in assign(text, to: &arguments.global.stallTimeout) },
        "retries": { arguments, text in assign(text, to: &arguments.global.retries) },
        "email": { $0.signer.email = $1; return true },
        "country-code": { $0.signer.countryCode = $1; return true },
        "phone": { $0.signer.phone = $1; return true },
        "order": { arguments, text in assign(text, to: &arguments.signer.order) },
        "on-behalf-of": { $0.signer.onBehalfOf = $1; return true },
        "document-id": { $0.documentId = $1; return true },
        "file-id": { $0.fileId = $1; return true },
        "output": { $0.output = $1; return true },
    ]

    /// Flags, by name without the leading `--`.
    static let flags: [String: @Sendable (inout ImageArguments) -> Void] = [
        "require-image": { $0.global.requireImage = true },
        "json": { $0.global.json = true },
        "quiet": { $0.global.quiet = true },
        "verbose": { $0.global.verbose = true },
        "overwrite": { $0.overwrite = true },
    ]

    /// The invocation's arguments, or `nil` when swift-argument-parser must read `arguments` (the
    /// command line without the program's name).
    static func arguments(from arguments: [String]) -> ImageArguments? {
        guard arguments.first == command else { return nil }
        var result = ImageArguments(documentId: "", fileId: "", output: "")
        var seen: Set<String> = []
        var index = arguments.index(after: arguments.startIndex)
        while index < arguments.endIndex {
            let token = arguments[index]
            guard token.hasPrefix("--") else { return nil }
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
        guard seen.isSuperset(of: ["document-id", "file-id", "output"]) else { return nil }
        do {
            try result.global.validate()
            try result.signer.validate()
        } catch {
            return nil
        }
        return result
    }

    /// Converts `text` as swift-argument-parser would for this option's type.
    private static func assign<Value: ExpressibleByArgument>(_ text: String, to value: inout Value) -> Bool {
        guard let converted = Value(argument: text) else { return false }
        value = converted
        return true
    }
}
