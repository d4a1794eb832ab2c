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
        var random = SplitMix64(seed: 0xBA7C_4_F00D)
        let names = Array(FastPath.batch.valueOptions.keys).sorted() + Array(FastPath.batch.flags.keys).sorted()
        let oddTokens = ["-o", "-q", "-v", "--output-dir=x", "--", "--nope", "-", "--help", "help", "extra", "", "-1"]
        let values = ["x", "", "-", "-1", "--json", "0", "1", "8", "64", "65", "2.5", "1e1", "nan", "inf", "0x10", " 7", "+1",
                      "us", "eu", "xx", "a=b", "é", "help", "m.jsonl", "dir 1"]
        var fast = 0, agreed = 0
        for _ in 0..<2000 {
            var arguments = [random.next(below: 20) == 0 ? "image" : "batch"]
            if random.next(below: 12) != 0 {
                arguments.append(random.next(below: 4) == 0 ? values[random.next(below: values.count)] : "manifest.jsonl")
            }
            if random.next(below: 12) != 0 {
                arguments += ["--output-dir", random.next(below: 4) == 0 ? values[random.next(below: values.count)] : "out"]
            }
            for _ in 0..<random.next(below: 4) {
                if random.next(below: 10) == 0 {
                    arguments.append(oddTokens[random.next(below: oddTokens.count)])
                    continue
                }
                let name = names[random.next(below: names.count)]
                arguments.append("--\(name)")
                if FastPath.batch.valueOptions[name] != nil, random.next(below: 20) != 0 {
                    arguments.append(random.next(below: 2) == 0 ? values[random.next(below: values.count)] : "\(random.next(below: 70))")
                }
            }
            let head = arguments.removeFirst()
            for index in arguments.indices.reversed() where random.next(below: 3) == 0 {
                arguments.swapAt(index, random.next(below: index + 1))
            }
            arguments.insert(head, at: 0)
            guard let read = FastPath.batch.arguments(from: arguments) else { continue }
            fast += 1
            let reference = argumentParser(arguments)
            #expect(read == reference, "\(arguments)")
            if read == reference { agreed += 1 }
        }
        // The generator must reach the fast path often, or the comparison says little.
        #expect(fast >= 400, "only \(fast) of 2000 invocations took the fast path")
        #expect(agreed == fast)
    }
}
