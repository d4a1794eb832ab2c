import ArgumentParser
@testable import boldsign_idv
import Testing

/// ``FastPath/image`` must read every invocation it accepts exactly as swift-argument-parser does, and
/// leave everything else to it.
@Suite struct ImageFastPathTests {
    /// What swift-argument-parser makes of `arguments`, validation included; `nil` if it is not an
    /// `image` invocation it accepts.
    private func argumentParser(_ arguments: [String]) -> ImageArguments? {
        (try? BoldSignIDVCommand.parseAsRoot(arguments) as? ImageCommand)?.arguments
    }

    static let benchmark = ["image", "--base-url", "http://127.0.0.1:8080", "--document-id", "doc-1", "--email", "a@example.com",
                            "--file-id", "file-1", "--output", "/tmp/x.jpg", "--overwrite", "--quiet"]

    @Test(arguments: [
        benchmark,
        ["image", "--document-id", "d", "--country-code", "+1", "--phone", "5550100", "--order", "2", "--file-id", "f",
         "--output", "o.png", "--json", "--region", "eu", "--retries", "0", "--connect-timeout", "2.5", "--stall-timeout", "9",
         "--on-behalf-of", "sender@example.com", "--require-image", "--verbose", "--api-key-file", "key.txt", "--ca-file", "ca.pem"],
    ])
    func usualInvocationsTakeTheFastPathAndReadAsArgumentParserReadsThem(arguments: [String]) throws {
        let fast = try #require(FastPath.image.arguments(from: arguments))
        #expect(fast == argumentParser(arguments))
    }

    @Test(arguments: [
        ["image", "--help"],
        ["image", "-h"],
        ["help", "image"],
        ["report", "--document-id", "d", "--email", "e"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "-o", "x"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output=x"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "-"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "-q"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--output", "y"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--json", "--json"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--", "--json"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "extra"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--unknown"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f"],
        ["image", "--document-id", "d", "--file-id", "f", "--output", "x"],
        ["image", "--document-id", "d", "--email", "e", "--phone", "1", "--file-id", "f", "--output", "x"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--retries", "21"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--order", "two"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--region", "mars"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--connect-timeout", "0"],
        ["image", "--document-id", "d", "--email", "e", "--file-id", "f", "--output", "x", "--generate-completion-script", "bash"],
    ])
    func everythingElseGoesToArgumentParser(arguments: [String]) {
        #expect(FastPath.image.arguments(from: arguments) == nil)
    }

    /// Every option `image` declares is in the fast path's table, and the table has nothing else: an
    /// option added to the command but not to the table would still work (through swift-argument-parser),
    /// only slower; this keeps the two in step.
    @Test func theTableNamesExactlyTheImageCommandsOptions() {
        #expect(optionNames(inHelpOf: ImageCommand.self) == Set(FastPath.image.valueOptions.keys).union(FastPath.image.flags.keys))
    }

    /// Two thousand generated invocations — known, unknown, short and `=` forms, repeats, awkward values
    /// — each either read identically by both parsers or left to swift-argument-parser.
    @Test func generatedInvocationsReadAlikeOrGoToArgumentParser() {
        let values = ["x", "", "-", "-1", "--json", "0", "1", "3", "20", "21", "2.5", "1e1", "nan", "inf", "0x10", " 7", "+1",
                      "us", "eu", "au", "xx", "a=b", "é", "a@example.com", "doc 1"]
        let (fast, agreed) = compareGeneratedInvocations(
            of: .image, seed: 0x5EED_1D_F00D, values: values,
            oddTokens: ["-o", "-q", "-v", "--output=x.jpg", "--", "--nope", "-", "--help", "extra"], oddTokenOneIn: 12,
            numbersBelow: 4, reference: argumentParser
        ) { random in
            var arguments = [random.next(below: 20) == 0 ? "report" : "image"]
            // Most invocations carry the required options, so that many are complete.
            for required in ["document-id", "file-id", "output", "email"] where random.next(below: 20) != 0 {
                arguments += ["--\(required)", random.next(below: 4) == 0 ? values[random.next(below: values.count)] : "v-\(required)"]
            }
            return arguments
        }
        // The generator must reach the fast path often, or the comparison says little.
        #expect(fast >= 120, "only \(fast) of 2000 invocations took the fast path")
        #expect(agreed == fast)
    }
}

/// Generates 2,000 invocations for `path` — `start` gives the subcommand and its usual arguments, then
/// up to three random options (`numbersBelow` bounds the numbers given as values) and, one draw in
/// `oddTokenOneIn`, odd tokens instead, all shuffled behind the subcommand — and expects each one the
/// fast path reads to be read alike by `reference` (swift-argument-parser). Returns how many the fast
/// path read and how many of those agreed.
func compareGeneratedInvocations<Arguments: Equatable>(
    of path: FastPath<Arguments>, seed: UInt64, values: [String], oddTokens: [String], oddTokenOneIn: Int,
    numbersBelow: Int, reference: ([String]) -> Arguments?, start: (inout SplitMix64) -> [String]
) -> (fast: Int, agreed: Int) {
    var random = SplitMix64(seed: seed)
    let names = Array(path.valueOptions.keys).sorted() + Array(path.flags.keys).sorted()
    var fast = 0, agreed = 0
    for _ in 0..<2000 {
        var arguments = start(&random)
        for _ in 0..<random.next(below: 4) {
            if random.next(below: oddTokenOneIn) == 0 {
                arguments.append(oddTokens[random.next(below: oddTokens.count)])
                continue
            }
            let name = names[random.next(below: names.count)]
            arguments.append("--\(name)")
            if path.valueOptions[name] != nil, random.next(below: 20) != 0 {
                arguments.append(random.next(below: 2) == 0 ? values[random.next(below: values.count)] : "\(random.next(below: numbersBelow))")
            }
        }
        let head = arguments.removeFirst()
        for index in arguments.indices.reversed() where random.next(below: 3) == 0 {
            arguments.swapAt(index, random.next(below: index + 1))
        }
        arguments.insert(head, at: 0)
        guard let read = path.arguments(from: arguments) else { continue }
        fast += 1
        let expected = reference(arguments)
        #expect(read == expected, "\(arguments)")
        if read == expected { agreed += 1 }
    }
    return (fast, agreed)
}

/// The option names (without `--`) that `command`'s help lists, `help` aside.
func optionNames(inHelpOf command: any ParsableCommand.Type) -> Set<String> {
    let help = BoldSignIDVCommand.helpMessage(for: command, columns: 1000)
    var declared = Set<String>()
    for word in help.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "\n" }) where word.hasPrefix("--") {
        declared.insert(String(word.dropFirst(2).prefix { $0.isLetter || $0.isNumber || $0 == "-" }))
    }
    declared.remove("help")
    return declared
}

/// A small deterministic generator, so that a failing invocation can be reproduced.
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func next(below bound: Int) -> Int { Int(next() % UInt64(bound)) }
}
