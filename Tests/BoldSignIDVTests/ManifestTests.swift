import BatchManifest
import BoldSignIDV
import SystemPackage
import Testing

/// Manifest rows to batch items: default names, unknown fields, the fast path's member bound.
@Suite struct ManifestTests {
    static let document = "55a6f0cf-0000-4000-8000-796d02cb0977"

    @Test func defaultNamesKeepASCIILettersDigitsAndDashDotUnderscore() {
        #expect(Manifest.defaultName(documentID: "55A6F0CF-X", fileID: "Front_ID-2.v1") == FilePath("55a6f0cf-x_Front_ID-2.v1"))
    }

    @Test func anyOtherCharacterIsReplacedAndTheNameGetsAHashOfTheOriginal() {
        let accented = Manifest.defaultName(documentID: "d", fileID: "photoé").string
        let other = Manifest.defaultName(documentID: "d", fileID: "photoè").string
        #expect(accented.hasPrefix("d_photo__") && other.hasPrefix("d_photo__"))
        #expect(accented != other, "distinct file ids must not share a name")
        #expect(Manifest.defaultName(documentID: "d", fileID: "a/b").string.hasPrefix("d_a_b_"))
        #expect(Manifest.defaultName(documentID: "d", fileID: ".hidden").string.hasPrefix("d_.hidden_"))
        #expect(Manifest.defaultName(documentID: "d", fileID: String(repeating: "x", count: 300)).string == "d_" + String(repeating: "x", count: 100))
    }

    @Test func anExplicitOutputWinsOverTheDefaultName() throws {
        let text = """
            {"documentId":"\(Self.document)","emailId":"a@example.com","fileId":"f/1","output":"named.jpg"}
            {"documentId":"\(Self.document)","emailId":"a@example.com","fileId":"f-2"}
            """
        let items = try Manifest.parse(text, isJSONLines: true, outputDirectory: FilePath("/out"))
        #expect(items.map(\.destination) == [FilePath("/out/named.jpg"), FilePath("/out/\(Self.document)_f-2")])
    }

    @Test func theFirstUnknownFieldInNameOrderIsNamed() {
        let line = #"{"documentId":"\#(Self.document)","emailId":"a@example.com","fileId":"f","zeta":"1","alpha":"2"}"#
        let problem = #expect(throws: Manifest.Problem.self) {
            try Manifest.parse(line, isJSONLines: true, outputDirectory: FilePath("/out"))
        }
        #expect(problem?.description == "line 1: unknown field alpha")
    }

    @Test func jsonLinesKeepStringsAndNumbersAndLeaveOutNulls() throws {
        #expect(try Manifest.decodeLine(#"{"a":"x","b":7,"c":null,"d":"\u00e9\n"}"#) == ["a": "x", "b": "7", "d": "é\n"])
        #expect(throws: (any Error).self) { try Manifest.decodeLine(#"{"a":{"nested":1}}"#) }
        #expect(throws: (any Error).self) { try Manifest.decodeLine(#"{"a":true}"#) }
    }
}
