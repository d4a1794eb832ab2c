import BoldSignMockServer
import Testing

@Suite struct ImageBodyGeneratorTests {
    @Test(arguments: ImageBodyGenerator.Format.allCases)
    func bodyStartsWithTheFormatSignature(format: ImageBodyGenerator.Format) {
        let generator = ImageBodyGenerator(format: format, seed: 7, size: 64)
        #expect(Array(generator.bytes(in: 0..<Int64(format.signature.count))) == format.signature)
    }

    @Test func anyOffsetGivesTheSameBytesAsAWholeRead() {
        let generator = ImageBodyGenerator(format: .png, seed: 42, size: 10_007)
        let whole = generator.bytes(in: 0..<10_007)
        #expect(whole.count == 10_007)
        for (start, end) in [(0, 1), (3, 29), (15, 16), (16, 24), (17, 9_000), (9_999, 10_007), (10_000, 20_000)] {
            #expect(generator.bytes(in: Int64(start)..<Int64(end)) == Array(whole[start..<min(end, 10_007)]))
        }
    }

    @Test func seedsAndSizesChangeTheBody() {
        let a = ImageBodyGenerator(format: .jpeg, seed: 1, size: 4096).bytes(in: 0..<4096)
        let b = ImageBodyGenerator(format: .jpeg, seed: 2, size: 4096).bytes(in: 0..<4096)
        #expect(a != b)
        #expect(ImageBodyGenerator(format: .jpeg, seed: 1, size: 100).bytes(in: 0..<4096).count == 100)
        // Not a constant or short cycle: the bytes after the signature take many values.
        #expect(Set(a.dropFirst(16)).count > 200)
    }

    @Test func fillStopsAtTheEndOfTheBody() {
        let generator = ImageBodyGenerator(format: .binary, seed: 3, size: 10)
        var buffer = [UInt8](repeating: 0xAA, count: 32)
        let written = buffer.withUnsafeMutableBytes { generator.fill($0, offset: 4) }
        #expect(written == 6)
        #expect(buffer[6...].allSatisfy { $0 == 0xAA })
        #expect(buffer.withUnsafeMutableBytes { generator.fill($0, offset: 10) } == 0)
        #expect(buffer.withUnsafeMutableBytes { generator.fill($0, offset: -1) } == 0)
    }
}
