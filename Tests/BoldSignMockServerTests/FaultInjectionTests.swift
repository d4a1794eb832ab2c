import BoldSignMockServer
import Foundation
import TestSupport
import Testing

/// Every fault kind, seen from the curl CLI.
@Suite struct FaultInjectionTests {
    private func fault(_ file: String) -> String { #"{"emailId":"faults@example.com","fileId":"\#(file)"}"# }

    @Test func latencyDelaysTheResponseHead() async throws {
        try await withServer { _, curl in
            let response = try await curl.post(imagePath(faultDocument), json: fault("latency"))
            #expect(response.status == 200)
            #expect(response.body.count == 4096)
            #expect(response.totalSeconds >= 1.4)
        }
    }

    @Test func stallPausesTheBodyThenSendsTheRest() async throws {
        let file = MockFixtures.File(id: "pause", size: 256 * 1024, seed: 9, fault: .init(stallAfterBytes: 65536, stallSeconds: 1))
        var fixtures = MockFixtures.default
        fixtures.documents[0].signers[0].files.append(file)
        try await withServer(.init(fixtures: fixtures)) { _, curl in
            let response = try await curl.post(imagePath(sampleDocument), json: #"{"emailId":"alex.gayle@example.com","fileId":"pause"}"#)
            #expect(response.status == 200)
            #expect(response.totalSeconds >= 0.95)
            #expect([UInt8](response.body) == file.generator.bytes(in: 0..<file.size))
        }
    }

    @Test func aLongStallTripsTheClientsLowSpeedTimeout() async throws {
        try await withServer { _, curl in
            let response = try await curl.post(imagePath(faultDocument), json: fault("stall"), arguments: ["--speed-limit", "1000", "--speed-time", "2"])
            #expect(response.exitCode == 28)  // CURLE_OPERATION_TIMEDOUT
            #expect(response.body.count == 65536)
            #expect(response.totalSeconds < 10)
        }
    }

    @Test func dropClosesTheConnectionAfterTheConfiguredBytes() async throws {
        try await withServer { _, curl in
            let response = try await curl.post(imagePath(faultDocument), json: fault("drop"))
            #expect(response.exitCode == 18)  // CURLE_PARTIAL_FILE
            #expect(response.headers["content-length"] == String(1 << 20))
            #expect(response.body.count == 100_000)
        }
    }

    @Test func respondAnswersAnyStatusHeadersAndBody() async throws {
        try await withServer { _, curl in
            let error = try await curl.post(imagePath(faultDocument), json: fault("server-error"))
            #expect(error.status == 500)
            #expect(error.json?["error"] as? String == "Internal server error")
            #expect(error.headers["x-ratelimit-limit"] == "2000")
            let limited = try await curl.post(imagePath(faultDocument), json: fault("rate-limited"))
            #expect(limited.status == 429)
            #expect(limited.headers["retry-after"] == "2")
        }
    }

    @Test func failFirstFailsTheConfiguredNumberOfTimesThenServes() async throws {
        try await withServer { server, curl in
            var statuses: [Int] = []
            for _ in 0..<3 { statuses.append(try await curl.post(imagePath(faultDocument), json: fault("flaky")).status) }
            #expect(statuses == [503, 503, 200])
            server.reset()
            #expect(try await curl.post(imagePath(faultDocument), json: fault("flaky")).status == 503)
        }
    }

    @Test func reportFaultsServeAMalformedReport() async throws {
        try await withServer { _, curl in
            let response = try await curl.post(reportPath(faultDocument), json: #"{"emailId":"broken-report@example.com","order":2}"#)
            #expect(response.status == 200)
            #expect(response.json == nil)
            #expect(response.text.hasPrefix(#"{"verificationResult""#))
        }
    }
}

/// BoldSign's per-credential fixed window, seen from the curl CLI.
@Suite struct RateLimitTests {
    @Test func overTheLimitGets429WithRetryAfterAndResetHeaders() async throws {
        try await withServer(.init(rateLimit: RateLimitPolicy(limit: 3, windowSeconds: 3600))) { server, curl in
            let body = #"{"emailId":"alex.gayle@example.com","fileId":"\#(frontFile)"}"#
            var remaining: [String?] = []
            for _ in 0..<3 {
                let ok = try await curl.post(imagePath(sampleDocument), json: body)
                #expect(ok.status == 200)
                #expect(ok.headers["x-ratelimit-limit"] == "3")
                remaining.append(ok.headers["x-ratelimit-remaining"])
            }
            #expect(remaining == ["2", "1", "0"])
            let limited = try await curl.post(imagePath(sampleDocument), json: body)
            #expect(limited.status == 429)
            #expect(limited.headers["x-ratelimit-remaining"] == "0")
            let retryAfter = try #require(limited.headers["retry-after"].flatMap { Int($0) })
            #expect((1...3600).contains(retryAfter))
            let reset = try #require(limited.headers["x-ratelimit-reset"].flatMap { Double($0) })
            let now = Date().timeIntervalSince1970
            #expect(reset > now && reset <= now + 3601)
            #expect(limited.json?["error"] is String)
            // Another credential has its own window.
            let other = try await curl.post(imagePath(sampleDocument), json: body, headers: ["Authorization: Bearer test-access-token"])
            #expect(other.status == 200)
            #expect(server.statistics.responses(status: 429) == 1)
        }
    }

    @Test func theWindowResets() async throws {
        try await withServer(.init(rateLimit: .init(limit: 1, windowSeconds: 2))) { server, curl in
            let body = #"{"emailId":"alex.gayle@example.com","fileId":"\#(frontFile)"}"#
            let url = server.baseURL + imagePath(sampleDocument)
            let one = ["-sS", "-o", "/dev/null", "-w", "%{http_code}\n", "-H", "X-API-KEY: test-api-key", "-d", body, url]
            // Two requests from one curl process land milliseconds apart, in one window unless they straddle
            // a boundary; a few tries make that vanishingly unlikely.
            var limited = false
            for _ in 0..<3 where !limited {
                let run = try await ChildProcess.run("/usr/bin/curl", one + ["--next"] + one)
                limited = run.text.split(separator: "\n").last == "429"
            }
            #expect(limited)
            let probe = try await curl.post(imagePath(sampleDocument), json: body)
            let reset = try #require(probe.headers["x-ratelimit-reset"].flatMap { Double($0) })
            let wait = reset - Date().timeIntervalSince1970
            if wait > 0 { try await Task.sleep(for: .milliseconds(Int64(wait * 1000) + 100)) }
            #expect(try await curl.post(imagePath(sampleDocument), json: body).status == 200)
        }
    }
}
