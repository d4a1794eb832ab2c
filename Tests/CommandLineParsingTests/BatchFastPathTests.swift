import ArgumentParser
@testable import boldsign_idv
import Testing

/// ``FastPath/batch`` must read every invocation it accepts exactly as swift-argument-parser does, and
/// leave everything else to it.
@Suite struct BatchFastPathTests {
    /// What swift-argument-parser makes of `arguments`, validation included; `nil` if it is not a
    /// `batch` invocation it accepts.
    private func argumentParser(_ arguments: [String]) -> BatchArguments? {
        (try? BoldSignIDVCommand.parseAsRoot(arguments) as? BatchCommand)?.arguments
    }

    @Test(arguments: [
        ["batch", "/tmp/m.jsonl", "--base-url", "http://127.0.0.1:8080", "--output-dir", "/tmp/out", "--concurrency", "1", "--quiet"],
        ["batch", "--output-dir", "out", "m.csv"],
        ["batch", "--output-dir", "out", "--concurrency", "64", "m.jsonl", "--report-file", "r.jsonl", "--overwrite", "--json",
         "--region", "ca", "--retries", "20", "--connect-timeout", "0.5", "--stall-timeout", "1", "--require-image", "--verbose",
         "--api-key-file", "key.txt", "--ca-file", "ca.pem"],
    ])
    func usualInvocationsTakeTheFastPathAndReadAsArgumentParserReadsThem(arguments: [String]) throws {
        let fast = try #require(FastPath.batch.arguments(from: arguments))
        #expect(fast == argumentParser(arguments))
    }

    @Test(arguments: [
        ["batch", "--help"],
        ["batch", "-h"],
        ["help", "batch"],
        ["batch"],
        ["batch", "m.jsonl"],
        ["batch", "--output-dir", "out"],
        ["batch", "m.jsonl", "n.jsonl", "--output-dir", "out"],
        ["batch", "-", "--output-dir", "out"],
        ["batch", "m.jsonl", "--output-dir=out"],
        ["batch", "m.jsonl", "--output-dir", "out", "-q"],
        ["batch", "m.jsonl", "--output-dir", "out", "--output-dir", "out2"],
        ["batch", "m.jsonl", "--output-dir", "out", "--", "--json"],
        ["batch", "--", "m.jsonl", "--output-dir", "out"],
        ["batch", "m.jsonl", "--output-dir", "out", "--email", "a@example.com"],
        ["batch", "m.jsonl", "--output-dir", "out", "--concurrency", "0"],
        ["batch", "m.jsonl", "--output-dir", "out", "--concurrency", "65"],
        ["batch", "m.jsonl", "--output-dir", "out", "--concurrency", "four"],
        ["batch", "m.jsonl", "--output-dir", "out", "--report-file"],
        ["batch", "m.jsonl", "--output-dir", "out", "--region", "mars"],
        ["image", "m.jsonl", "--output-dir", "out"],
    ])
    func everythingElseGoesToArgumentParser(arguments: [String]) {
        #expect(FastPath.batch.arguments(from: arguments) == nil)
    }

    /// Every option `batch` declares is in the fast path's table, and the table has nothing else.
    @Test func theTableNamesExactlyTheBatchCommandsOptions() {
        #expect(optionNames(inHelpOf: BatchCommand.self) == Set(FastPath.batch.valueOptions.keys).union(FastPath.batch.flags.keys))
    }

    /// Two thousand generated invocations — with and without the manifest, several positionals, known,
    /// unknown, short and `=` forms, repeats, awkward values — each either read identically by both
    /// parsers or left to swift-argument-parser.
    @Test func generatedInvocationsReadAlikeOrGoToArgumentParser() {
        let values = ["x", "", "-", "-1", "--json", "0", "1", "8", "64", "65", "2.5", "1e1", "nan", "inf", "0x10", " 7", "+1",
                      "us", "eu", "xx", "a=b", "é", "help", "m.jsonl", "dir 1"]
        let (fast, agreed) = compareGeneratedInvocations(
            of: .batch, seed: 0xBA7C_4_F00D, values: values,
            oddTokens: ["-o", "-q", "-v", "--output-dir=x", "--", "--nope", "-", "--help", "help", "extra", "", "-1"],
            oddTokenOneIn: 10, numbersBelow: 70, reference: argumentParser
        ) { random in
            var arguments = [random.next(below: 20) == 0 ? "image" : "batch"]
            if random.next(below: 12) != 0 {
                arguments.append(random.next(below: 4) == 0 ? values[random.next(below: values.count)] : "manifest.jsonl")
            }
            if random.next(below: 12) != 0 {
                arguments += ["--output-dir", random.next(below: 4) == 0 ? values[random.next(below: values.count)] : "out"]
            }
            return arguments
        }
        // The generator must reach the fast path often, or the comparison says little.
        #expect(fast >= 400, "only \(fast) of 2000 invocations took the fast path")
        #expect(agreed == fast)
    }
}
