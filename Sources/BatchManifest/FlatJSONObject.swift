/// The fast path for one JSON Lines manifest line: a flat object whose values are strings without
/// escapes, integers or null — what every generated manifest holds.
///
/// JSONDecoder spends ~8 µs on such a line (measured: 2,000 lines took 12 % of a whole batch's CPU);
/// this takes well under one. It gives up (returns nil) on anything else — escapes, fractions,
/// exponents, booleans, nested values, duplicate keys, more than ``maxMembers`` members, malformed
/// text — and the caller hands that line to JSONDecoder, which decides, so it never accepts what
/// JSONDecoder would refuse. The fuzz target `manifest` checks that every line it accepts decodes to
/// the same fields with JSONDecoder.
package enum FlatJSONObject {
    /// More members than this go to the full decoder. A manifest line has at most eight fields, and a
    /// bounded count lets duplicates be found by a linear search, which for a handful of keys costs
    /// a fraction of hashing each one into a set (that hashing was a fifth of the fast path's time).
    static let maxMembers = 16

    /// The object's fields (null values left out), or nil when the line needs the full decoder.
    package static func fields(_ line: Substring) -> [String: String]? {
        var scanner = Scanner(bytes: Array(line.utf8))
        return scanner.object()
    }

    private struct Scanner {
        let bytes: [UInt8]
        var position = 0

        mutating func object() -> [String: String]? {
            skipWhitespace()
            guard take(UInt8(ascii: "{")) else { return nil }
            var fields: [String: String] = [:]
            fields.reserveCapacity(8)
            // Null-valued keys are not stored in `fields` but still count as duplicates.
            var keys: [String] = []
            skipWhitespace()
            if !take(UInt8(ascii: "}")) {
                while true {
                    skipWhitespace()
                    guard keys.count < FlatJSONObject.maxMembers, let key = string(), !keys.contains(key) else { return nil }
                    keys.append(key)
                    skipWhitespace()
                    guard take(UInt8(ascii: ":")) else { return nil }
                    skipWhitespace()
                    switch peek() {
                    case UInt8(ascii: "\""):
                        guard let value = string() else { return nil }
                        fields[key] = value
                    case UInt8(ascii: "n"):
                        guard takeNull() else { return nil }
                    default:
                        guard let value = integer() else { return nil }
                        fields[key] = value
                    }
                    skipWhitespace()
                    if take(UInt8(ascii: "}")) { break }
                    guard take(UInt8(ascii: ",")) else { return nil }
                }
            }
            skipWhitespace()
            return position == bytes.count ? fields : nil
        }

        /// A string without escapes or control characters (the bytes are already valid UTF-8).
        mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            let start = position
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: bytes[start..<position], as: UTF8.self)
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") || byte < 0x20 { return nil }
                position += 1
            }
            return nil
        }

        /// `-?(0|[1-9][0-9]*)` of at most 18 digits (always fits Int64), printed as JSONDecoder's Int64 path does.
        mutating func integer() -> String? {
            let negative = take(UInt8(ascii: "-"))
            let start = position
            while position < bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) { position += 1 }
            let digits = position - start
            guard digits > 0, digits <= 18, !(digits > 1 && bytes[start] == UInt8(ascii: "0")) else { return nil }
            if position < bytes.count, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) { return nil }
            var value: Int64 = 0
            for index in start..<position { value = value * 10 + Int64(bytes[index] - UInt8(ascii: "0")) }
            return String(negative ? -value : value)
        }

        mutating func takeNull() -> Bool {
            guard bytes[position...].starts(with: "null".utf8) else { return false }
            position += 4
            return true
        }

        func peek() -> UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func take(_ byte: UInt8) -> Bool {
            guard peek() == byte else { return false }
            position += 1
            return true
        }

        mutating func skipWhitespace() {
            while let byte = peek(), byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { position += 1 }
        }
    }
}
