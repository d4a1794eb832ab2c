import BatchManifest
import BoldSignIDV
import SystemPackage
import Testing

/// The JSON Lines fast path: what it reads, what it leaves to JSONDecoder, and that the two agree.
@Suite struct ManifestFastPathTests {
    static let accepted: [(String, [String: String])] = [
        (#"{"documentId":"b3c4","emailId":"a@example.com","fileId":"f-1","output":"1.jpg"}"#,
         ["documentId": "b3c4", "emailId": "a@example.com", "fileId": "f-1", "output": "1.jpg"]),
        (" \t{ \"order\" : 2 , \"onBehalfOf\" : null, \"x\": -0, \"y\": 123456789012345678 }\r",
         ["order": "2", "x": "0", "y": "123456789012345678"]),
        ("{}", [:]),
        ("{\"name\":\"é 😀 \u{2028}\"}", ["name": "é 😀 \u{2028}"]),
    ]

    /// Valid JSON the fast path must leave to JSONDecoder, and text that is not JSON at all.
    static let leftToJSONDecoder = [
        #"{"a":"with \"escape\""}"#, #"{"a":1.5}"#, #"{"a":1e3}"#, #"{"a":true}"#, #"{"a":{"b":"c"}}"#, #"{"a":["b"]}"#,
        #"{"a":"1","a":"2"}"#, #"{"a":1234567890123456789}"#, #"{"a":"1"} x"#, #"{"a":"1"}{"#, #"{"a":01}"#, #"{"a":-}"#,
        #"{"a":"unterminated}"#, "{\"a\":\"tab\tinside\"}", #"{"a" "b"}"#, #"{"a":"b",}"#, #"{,}"#, #"["a"]"#, "", "   ", #"{"a":nul}"#,
    ]

    @Test func readsFlatObjectsOfStringsIntegersAndNulls() {
        for (line, fields) in Self.accepted {
            #expect(FlatJSONObject.fields(Substring(line)) == fields, "\(line)")
        }
    }

    @Test func givesUpOnEverythingElse() {
        for line in Self.leftToJSONDecoder {
            #expect(FlatJSONObject.fields(Substring(line)) == nil, "\(line)")
        }
    }

    @Test func agreesWithJSONDecoderWheneverItAnswers() throws {
        for (line, fields) in Self.accepted {
            #expect(try Manifest.decodeLine(Substring(line)) == fields, "\(line)")
        }
    }

    @Test func linesItLeavesAloneStillParseOrFailThroughJSONDecoder() throws {
        let text = """
            {"documentId":"55a6f0cf-0000-4000-8000-796d02cb0977","emailId":"a@example.com","fileId":"f\\u002d1","order":2.0}
            {"documentId":"55a6f0cf-0000-4000-8000-796d02cb0977","emailId":"a@example.com","fileId":"f-2","order":3}\r

            """
        let items = try Manifest.parse(text, isJSONLines: true, outputDirectory: FilePath("/out"))
        #expect(items.map(\.request.fileID) == ["f-1", "f-2"])
        #expect(items.map(\.request.order) == [2, 3])
        #expect(throws: Manifest.Problem.self) {
            try Manifest.parse(#"{"documentId":"55a6f0cf-0000-4000-8000-796d02cb0977","emailId":"a@example.com","fileId":"f","order":true}"#, isJSONLines: true,
                               outputDirectory: FilePath("/out"))
        }
    }
}
