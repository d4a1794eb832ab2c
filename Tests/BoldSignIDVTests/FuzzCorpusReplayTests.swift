import Foundation
import TestSupport
import Testing

/// The fuzzers' committed seed corpus and every crasher they ever found (`Fuzz/Corpus/<target>/`)
/// replay through the same properties in every test run, without libFuzzer.
@Suite struct FuzzCorpusReplayTests {
    @Test(arguments: ["error-body", "report", "headers", "response-head", "manifest", "webhook"])
    func theCommittedCorpusKeepsEveryProperty(_ target: String) async throws {
        let corpus = TestPaths.packageRoot + "/Fuzz/Corpus/" + target
        let inputs = try FileManager.default.contentsOfDirectory(atPath: corpus)
        #expect(inputs.count >= 3)
        let run = try await ChildProcess.run(TestPaths.product("boldsign-fuzz"), [target, corpus])
        #expect(run.status == 0, "\(run.text)\(run.stderr)")
        #expect(run.text.contains("\(target): \(inputs.count) inputs replayed, no property broken"))
    }
}
