@testable import CurlTransport
import Testing

@Suite struct ResponseHeadParserTests {
    private func parse(_ lines: [String]) -> ResponseHeadParser {
        var parser = ResponseHeadParser()
        for line in lines {
            Array(line.utf8).withUnsafeBytes { parser.consume($0) }
        }
        return parser
    }

    @Test func keepsStatusAndHeadersOfTheFinalResponse() {
        let parser = parse([
            "HTTP/1.1 100 Continue\r\n", "\r\n",
            "HTTP/1.1 200 OK\r\n", "Content-Type:  image/jpeg \r\n", "X-RateLimit-Remaining: 7\r\n", "Empty:\r\n", "\r\n",
        ])
        #expect(parser.status == 200)
        #expect(parser.headers.map(\.name) == ["content-type", "x-ratelimit-remaining", "empty"])
        #expect(parser.headers.map(\.value) == ["image/jpeg", "7", ""])
    }

    @Test func contentLengthIsTheFinalResponsesPlainDecimalValue() {
        #expect(parse(["HTTP/1.1 200 OK\r\n", "Content-Length: 1048576\r\n"]).contentLength == 1_048_576)
        #expect(parse(["HTTP/1.1 200 OK\r\n", "content-length: 0\r\n"]).contentLength == 0)
        #expect(parse(["HTTP/1.1 200 OK\r\n", "Transfer-Encoding: chunked\r\n"]).contentLength == nil)
        #expect(parse(["HTTP/1.1 100 Continue\r\n", "Content-Length: 5\r\n", "HTTP/1.1 200 OK\r\n"]).contentLength == nil)
        for bad in ["", "-1", "+5", "12a", "1 2", "0x10", "1234567890123456789"] {
            #expect(parse(["HTTP/1.1 200 OK\r\n", "Content-Length: \(bad)\r\n"]).contentLength == nil, "\(bad)")
        }
    }

    @Test func aNewStatusLineStartsOver() {
        let parser = parse(["HTTP/1.1 200 Connection established\r\n", "Proxy-Agent: x\r\n", "\r\n", "HTTP/2 403 \r\n", "content-type: application/json\r\n"])
        #expect(parser.status == 403)
        #expect(parser.headers.count == 1 && parser.headers[0].name == "content-type")
    }

    @Test(arguments: ["HTTP/1.1 abc OK\r\n", "HTTP/1.1\r\n", "HTTP/1.1 20\r\n", "HTTP/1.1 099 Low\r\n"])
    func malformedStatusLinesGiveZero(line: String) {
        #expect(parse([line]).status == 0)
    }

    @Test func linesWithoutAColonAreIgnoredAndHugeHeadersAreCapped() {
        let big = String(repeating: "a", count: 1000)
        let lines = ["HTTP/1.1 200 OK\r\n", "no colon here\r\n"] + (0..<200).map { "X-Big-\($0): \(big)\r\n" }
        let parser = parse(lines)
        #expect(parser.status == 200)
        #expect(!parser.headers.isEmpty)
        #expect(parser.headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 } <= ResponseHeadParser.maxHeaderBytes)
    }

    @Test func invalidUTF8InAHeaderDoesNotCrash() {
        var parser = ResponseHeadParser()
        [UInt8]("HTTP/1.1 200 OK\r\n".utf8).withUnsafeBytes { parser.consume($0) }
        ([UInt8]("X-Odd: ".utf8) + [0xFF, 0xFE, 0x80] + [13, 10]).withUnsafeBytes { parser.consume($0) }
        #expect(parser.headers.first?.name == "x-odd")
    }
}
