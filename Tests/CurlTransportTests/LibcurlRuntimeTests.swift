@testable import CurlTransport
import Foundation
import Testing

/// The libcurl floor: what the running libcurl is, and the refusal of one the package cannot use.
@Suite struct LibcurlRuntimeTests {
    @Test func theLoadedLibcurlIsUsableAndIsTheOneThisRunExpects() {
        let current = LibcurlRuntime.current
        #expect(current.problem == nil, "\(current)")
        #expect(current.versionNumber >= LibcurlRuntime.floorVersionNumber)
        #expect(current.hasTLS && current.hasHTTP2, "\(current)")
        // Scripts/test-libcurl-floor.sh sets this, so that a run meant for 7.74 cannot pass on another libcurl.
        if let expected = ProcessInfo.processInfo.environment["BOLDSIGN_EXPECT_LIBCURL"] {
            #expect(current.version == expected)
        }
    }

    @Test func aLibcurlBelowTheFloorIsRefusedNamingItsVersion() throws {
        let old = LibcurlRuntime(version: "7.64.0", versionNumber: 0x07_40_00, hasTLS: true, hasHTTP2: true)
        let problem = try #require(old.problem)
        #expect(problem.contains("7.64.0") && problem.contains("7.74.0"))
        let floor = LibcurlRuntime(version: "7.74.0", versionNumber: 0x07_4A_00, hasTLS: true, hasHTTP2: true)
        #expect(floor.problem == nil)
    }

    @Test func aLibcurlWithoutTLSIsRefused() throws {
        let plain = LibcurlRuntime(version: "7.88.1", versionNumber: 0x07_58_01, hasTLS: false, hasHTTP2: false)
        let problem = try #require(plain.problem)
        #expect(problem.contains("7.88.1") && problem.contains("without TLS"))
    }

    @Test func aLoopRefusesToStartOnAnUnusableLibcurl() {
        let old = LibcurlRuntime(version: "7.64.0", versionNumber: 0x07_40_00, hasTLS: true, hasHTTP2: true)
        #expect { try CurlEventLoop(maxConcurrentTransfers: 1, libcurl: old) } throws: { error in
            (error as? TransferError)?.kind == .unsupportedLibcurl && (error as? TransferError)?.message.contains("7.64.0") == true
        }
    }
}
