import BatchManifest
import BoldSignIDV
import Foundation
import TestSupport
import SystemPackage
import Testing

/// Manifest rows to batch items: default names, unknown fields; the streaming check and its second reading.
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

    private static func line(_ index: Int, output: String? = nil) -> String {
        #"{"documentId":"\#(document)","emailId":"a@example.com","fileId":"f\#(index)","output":"\#(output ?? "\(index).jpg")"}"#
    }

    @Test func aLongManifestIsCheckedWithoutKeepingItsItemsAndReadAgainInOrder() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/m.jsonl"
        try (0..<5_000).map { Self.line($0) }.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let checked = try Manifest.check(path, outputDirectory: FilePath("/out"))
        #expect(checked.count == 5_000 && checked.isJSONLines && checked.directories == [FilePath("/out")])
        let items = checked.items
        var count = 0
        for (index, item) in items.enumerated() {
            if item.destination != FilePath("/out/\(index).jpg") || item.request.fileID != "f\(index)" {
                Issue.record("item \(index): \(item)")
                break
            }
            count += 1
        }
        #expect(count == 5_000)
        #expect(items.problem.value == nil)
    }

    @Test func twoLinesWithOneOutputFarApartAreFoundNamingTheSecond() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/m.jsonl"
        var lines = (0..<5_000).map { Self.line($0) }
        lines[4_998] = Self.line(4_998, output: "1.jpg")
        try lines.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let problem = #expect(throws: Manifest.Problem.self) { try Manifest.check(path, outputDirectory: FilePath("/out")) }
        #expect(problem?.description == "line 4999: output /out/1.jpg is used twice")
    }

    @Test func aCSVRecordSpanningLinesReadsFromAFileAsFromText() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/m.csv"
        let text = "documentId,emailId,fileId,output\r\n\(Self.document),a@example.com,\"f,\"\"1\"\"\",one.jpg\r\n\(Self.document),a@example.com,f2,\"two\nlines.jpg\"\n"
        try text.write(toFile: path, atomically: false, encoding: .utf8)
        let checked = try Manifest.check(path, outputDirectory: FilePath("/out"))
        let fromFile = Array(checked.items)
        let fromText = try Manifest.parse(text, isJSONLines: false, outputDirectory: FilePath("/out"))
        #expect(fromFile == fromText)
        #expect(fromFile.map(\.request.fileID) == ["f,\"1\"", "f2"])
        #expect(fromFile.map(\.destination) == [FilePath("/out/one.jpg"), FilePath("/out/two\nlines.jpg")])
    }

    @Test func aManifestChangedAfterItsCheckEndsTheItemsWithAProblem() throws {
        let directory = try TemporaryDirectory()
        let path = directory.path + "/m.jsonl"
        try (0..<3).map { Self.line($0) }.joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let checked = try Manifest.check(path, outputDirectory: FilePath("/out"))
        try [Self.line(0), "{not json"].joined(separator: "\n").write(toFile: path, atomically: false, encoding: .utf8)
        let items = checked.items
        #expect(Array(items).count == 1)
        #expect(items.problem.value?.description.contains("line 2") == true)
    }
}
