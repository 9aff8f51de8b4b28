/// JSON with every number literal put in quotes, so a parser hands each over as the text the
/// venue wrote. Foundation reads a number as a double, and on Linux one of 16 or 17 significant
/// digits through `Decimal`, which rounds (`-1000.0000000000001` came back as `-1000`): an
/// amount must be read from its own digits. A number with an exponent (`1e-05`, as Python
/// writes small values) is written out in full, exactly (`0.00001`). Strings (escapes
/// included), `true`, `false` and `null` pass unchanged; anything that is not JSON stays invalid.
enum JSONNumberText {
    /// Put before a quoted number's digits (U+E000, a private-use character), so a number is
    /// still told from a string: `"5"` is a name, `5` is not.
    static let marker = "\u{E000}"
    private static let markerBytes = Array(marker.utf8)

    /// The text of a value parsed from `quotingNumbers` output: a number's digits, or a string as it is.
    static func text(of value: Any) -> String? {
        guard let string = value as? String else { return nil }
        return string.hasPrefix(marker) ? String(string.dropFirst()) : string
    }

    /// Whether the value was a JSON number.
    static func isNumber(_ value: Any) -> Bool { (value as? String)?.hasPrefix(marker) ?? false }

    static func quotingNumbers(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count + bytes.count / 8)
        var index = 0
        let quote = UInt8(ascii: "\""), backslash = UInt8(ascii: "\\")
        while index < bytes.count {
            let byte = bytes[index]
            if byte == quote {
                // Copy the string through its closing quote, skipping escaped characters.
                out.append(byte); index += 1
                while index < bytes.count {
                    let inner = bytes[index]
                    out.append(inner); index += 1
                    if inner == backslash, index < bytes.count { out.append(bytes[index]); index += 1 } else if inner == quote { break }
                }
            } else if byte == UInt8(ascii: "-") || (byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9")) {
                let start = index
                while index < bytes.count, isNumberByte(bytes[index]) { index += 1 }
                out.append(quote)
                out.append(contentsOf: markerBytes)
                out.append(contentsOf: writtenOut(bytes[start..<index]))
                out.append(quote)
            } else {
                out.append(byte); index += 1
            }
        }
        return out
    }

    /// The number without its exponent, the same value exactly; the token as it is when it is
    /// malformed or its exponent is beyond any amount (the reader then refuses it).
    static func writtenOut(_ token: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let e = token.firstIndex(where: { $0 == UInt8(ascii: "e") || $0 == UInt8(ascii: "E") }),
              let exponent = Int(String(decoding: token[(e + 1)...], as: UTF8.self)), abs(exponent) <= 400 else { return token }
        var mantissa = token[..<e]
        let negative = mantissa.first == UInt8(ascii: "-")
        if negative { mantissa = mantissa.dropFirst() }
        let point = mantissa.firstIndex(of: UInt8(ascii: "."))
        let whole = point.map { mantissa[..<$0] } ?? mantissa
        let fraction = point.map { mantissa[($0 + 1)...] } ?? []
        let digits = Array(whole) + Array(fraction)
        guard !whole.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else { return token }
        let zero = UInt8(ascii: "0")
        let pointAt = whole.count + exponent
        var out: [UInt8] = negative ? [UInt8(ascii: "-")] : []
        if pointAt <= 0 {
            out += [zero, UInt8(ascii: ".")] + Array(repeating: zero, count: -pointAt) + digits
        } else if pointAt >= digits.count {
            out += digits + Array(repeating: zero, count: pointAt - digits.count)
        } else {
            out += digits[..<pointAt] + [UInt8(ascii: ".")] + digits[pointAt...]
        }
        // No leading zeros before the point (`00.5`, `0150`).
        let sign = negative ? 1 : 0
        while out.count > sign + 1, out[sign] == zero, out[sign + 1] != UInt8(ascii: ".") { out.remove(at: sign) }
        return out[...]
    }

    private static func isNumberByte(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "+"), UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E"): true
        default: false
        }
    }
}
