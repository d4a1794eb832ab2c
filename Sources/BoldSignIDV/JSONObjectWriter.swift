/// Writes a flat JSON object of strings and integers, keys in the order added. Small, exact and
/// allocation-light: request bodies need nothing more, and no JSON library.
struct JSONObjectWriter {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]
    private var empty = true

    var result: [UInt8] { bytes + [UInt8(ascii: "}")] }

    mutating func add(_ key: String, _ value: String) {
        separator()
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        appendString(value)
    }

    mutating func add(_ key: String, _ value: Int) {
        separator()
        appendString(key)
        bytes.append(UInt8(ascii: ":"))
        bytes.append(contentsOf: String(value).utf8)
    }

    private mutating func separator() {
        if !empty { bytes.append(UInt8(ascii: ",")) }
        empty = false
    }

    // Byte by byte over the UTF-8: appending each scalar as a `String` of its own cost an allocation
    // per character of every request body.
    private mutating func appendString(_ value: String) {
        let utf8 = value.utf8
        bytes.reserveCapacity(bytes.count + utf8.count + 2)
        bytes.append(UInt8(ascii: "\""))
        var index = utf8.startIndex
        while index != utf8.endIndex {
            let byte = utf8[index]
            index = utf8.index(after: index)
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"): appendEscaped(letter: byte)
            case UInt8(ascii: "\n"): appendEscaped(letter: UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): appendEscaped(letter: UInt8(ascii: "r"))
            case UInt8(ascii: "\t"): appendEscaped(letter: UInt8(ascii: "t"))
            case ..<0x20: appendUnicodeEscape(UInt32(byte))
            // U+2028 and U+2029 (E2 80 A8/A9) are valid JSON but end a line in JavaScript.
            case 0xE2 where utf8[index...].starts(with: [0x80, 0xA8]) || utf8[index...].starts(with: [0x80, 0xA9]):
                appendUnicodeEscape(0x2000 + UInt32(utf8[utf8.index(after: index)] - 0x80))
                index = utf8.index(index, offsetBy: 2)
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    private mutating func appendEscaped(letter: UInt8) {
        bytes.append(UInt8(ascii: "\\"))
        bytes.append(letter)
    }

    private mutating func appendUnicodeEscape(_ scalar: UInt32) {
        let hex = String(scalar, radix: 16)
        bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
    }
}
