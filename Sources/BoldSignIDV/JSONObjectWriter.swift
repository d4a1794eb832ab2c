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

    private mutating func appendString(_ value: String) {
        bytes.append(UInt8(ascii: "\""))
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case "\\": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case "\n": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case "\r": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case "\t": bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case _ where scalar.value < 0x20 || scalar.value == 0x2028 || scalar.value == 0x2029:
                let hex = String(scalar.value, radix: 16)
                bytes.append(contentsOf: ("\\u" + String(repeating: "0", count: 4 - hex.count) + hex).utf8)
            default:
                bytes.append(contentsOf: String(scalar).utf8)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
