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

    @Test func objectsOfMoreThanSixteenMembersGoToJSONDecoderWhichStillDecides() throws {
        func object(_ count: Int) -> String {
            "{" + (0..<count).map { #""k\#($0)":"\#($0)""# }.joined(separator: ",") + "}"
        }
        #expect(FlatJSONObject.fields(Substring(object(16)))?.count == 16)
        #expect(FlatJSONObject.fields(Substring(object(17))) == nil)
        #expect(try Manifest.decodeLine(Substring(object(17))).count == 17)
        #expect(FlatJSONObject.fields(#"{"a":null,"a":"x"}"#) == nil, "a null-valued key still counts as a duplicate")
    }
}
