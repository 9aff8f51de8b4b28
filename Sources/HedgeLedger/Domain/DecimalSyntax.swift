/// The strict number grammar of every amount the ledger reads:
///
///     [+-]? digits ( "." digits )?        at most 18 fractional digits
///
/// No thousands separators, no locale commas, no exponents, no `nan`/`inf`/hex, no spaces,
/// nothing after the number. Foundation's `Decimal(string:)` takes `"12abc"` as 12 and
/// `Double()` takes `nan`: neither is a validator, so this is ours.
public enum DecimalSyntax {
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case missingDigits
        case unexpectedCharacter(Character, offset: Int)
        case tooManyFractionDigits(Int)
        case tooLarge
        case notFinite

        public var description: String {
            switch self {
            case .empty: return "is empty"
            case .missingDigits: return "is not a number: digits are missing before or after the point (write 0.5, not .5 or 5.)"
            case .unexpectedCharacter(let c, _):
                if c == "," { return "contains ',': thousands separators and decimal commas are not accepted; write 1234.5" }
                if c == "e" || c == "E" { return "uses an exponent: write the number out in full" }
                if c == " " || c == "\u{A0}" { return "contains a space: write the number without grouping or padding" }
                return "contains unexpected character \(String(reflecting: String(c)))"
            case .tooManyFractionDigits(let n): return "has \(n) fractional digits; at most \(ExactDecimal.fractionDigits) are kept exactly"
            case .tooLarge: return "is too large (more than 20 integer digits)"
            case .notFinite: return "is not a number: nan, inf and hexadecimal values are refused; write the amount in decimal"
            }
        }
    }

    /// Whether `text` is already written the way `ExactDecimal.description` writes its value:
    /// no `+`, no leading zeros, no trailing fractional zeros, no `-0`. An import then stores
    /// the text it read instead of writing every amount out again.
    public static func isCanonical(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            var index = bytes.first == UInt8(ascii: "-") ? 1 : 0
            let wholeStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let wholeDigits = index - wholeStart
            guard wholeDigits > 0, wholeDigits == 1 || bytes[wholeStart] != UInt8(ascii: "0") else { return false }
            if index == bytes.count { return !(wholeStart == 1 && bytes[wholeStart] == UInt8(ascii: "0")) }  // not -0
            guard bytes[index] == UInt8(ascii: ".") else { return false }
            index += 1
            let fractionStart = index
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
            let fractionDigits = index - fractionStart
            return index == bytes.count && fractionDigits > 0 && fractionDigits <= ExactDecimal.fractionDigits
                && bytes[index - 1] != UInt8(ascii: "0")
        }
    }

    private static func isDigit(_ byte: UInt8) -> Bool { byte >= 48 && byte <= 57 }

    /// `text` without its thousands separators, when they group the whole part in threes
    /// (`-1,234,567.5` → `-1234567.5`); text without the separator is returned as it is. Nil
    /// when a separator stands anywhere else (`0,25`, `1,23`, `12,3456`, one after the point):
    /// that is a decimal comma or a typo, and reading it as grouping would change the amount.
    public static func withoutThousands(_ text: String, separator: Character) -> String? {
        guard text.contains(separator) else { return text }
        let signLength = text.first == "-" || text.first == "+" ? 1 : 0
        let unsigned = text.dropFirst(signLength)
        let whole = unsigned.prefix { $0 != "." }
        let groups = whole.split(separator: separator, omittingEmptySubsequences: false)
        guard let lead = groups.first, (1...3).contains(lead.count),
              groups.dropFirst().allSatisfy({ $0.count == 3 }),
              !unsigned.dropFirst(whole.count).contains(separator) else { return nil }
        return String(text.prefix(signLength)) + groups.joined() + unsigned.dropFirst(whole.count)
    }

    public static func parse(_ text: String) -> Result<ExactDecimal, Problem> {
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0) }) { return result }
        return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0) }
    }

    public static func parse(bytes: UnsafeBufferPointer<UInt8>) -> Result<ExactDecimal, Problem> {
        if bytes.isEmpty { return .failure(.empty) }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") {
            negative = bytes[0] == UInt8(ascii: "-")
            index = 1
        }
        var whole: Int128 = 0, wholeDigits = 0
        var fraction: Int128 = 0, fractionDigits = 0
        var seenPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 {
                let digit = Int128(byte - 48)
                if seenPoint {
                    fractionDigits += 1
                    if fractionDigits <= ExactDecimal.fractionDigits { fraction = fraction * 10 + digit }
                } else {
                    wholeDigits += 1
                    if wholeDigits > 20 { return .failure(.tooLarge) }
                    whole = whole * 10 + digit
                }
            } else if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else {
                if isNotFinite(bytes) { return .failure(.notFinite) }
                return .failure(.unexpectedCharacter(character(in: bytes, at: index), offset: index))
            }
            index += 1
        }
        // "1.", ".5" and "-" are not numbers anyone means to write.
        if wholeDigits == 0 || (seenPoint && fractionDigits == 0) { return .failure(.missingDigits) }
        if fractionDigits > ExactDecimal.fractionDigits { return .failure(.tooManyFractionDigits(fractionDigits)) }
        var scaledFraction = fraction
        for _ in fractionDigits..<ExactDecimal.fractionDigits { scaledFraction *= 10 }
        let units = whole * ExactDecimal.unitsPerOne + scaledFraction
        return .success(ExactDecimal(units: negative ? -units : units))
    }

    /// The market-data grammar: what pandas and venues write for prices.
    ///
    ///     [+-]? digits ( "." digits )? ( [eE] [+-]? digits )?
    ///
    /// Any number of fractional digits and an exponent (`0.0016479401443678053`, `1.5e-05`,
    /// `2.45e-46`), rounded half-to-even to 18 places: the ledger's precision. No `nan`,
    /// `inf`, hex, separators or spaces. Only for market data; trade amounts stay strict.
    public static func parseMarketValue(_ text: String) -> Result<ExactDecimal, Problem> {
        let bytes = Array(text.utf8)
        if bytes.isEmpty { return .failure(.empty) }
        if bytes.withUnsafeBufferPointer(isNotFinite) { return .failure(.notFinite) }
        var index = 0
        var negative = false
        if bytes[0] == UInt8(ascii: "-") || bytes[0] == UInt8(ascii: "+") { negative = bytes[0] == UInt8(ascii: "-"); index = 1 }
        var digits: [UInt8] = []  // significant digits, leading zeros dropped
        var pointShift = 0        // value = digits × 10^(exponent + pointShift)
        var wholeDigits = 0, fractionDigits = 0, seenPoint = false
        while index < bytes.count {
            let byte = bytes[index]
            if byte >= 48 && byte <= 57 {
                if seenPoint { fractionDigits += 1; pointShift -= 1 } else { wholeDigits += 1 }
                if !(digits.isEmpty && byte == 48) { digits.append(byte - 48) }
            } else if byte == UInt8(ascii: ".") && !seenPoint {
                seenPoint = true
            } else {
                break
            }
            index += 1
        }
        if wholeDigits == 0 || (seenPoint && fractionDigits == 0) { return .failure(.missingDigits) }
        var exponent = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            index += 1
            var exponentNegative = false
            if index < bytes.count, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-"); index += 1
            }
            let start = index
            while index < bytes.count, bytes[index] >= 48, bytes[index] <= 57 {
                if exponent < 10_000 { exponent = exponent * 10 + Int(bytes[index] - 48) }
                index += 1
            }
            if index == start { return .failure(.missingDigits) }
            if exponentNegative { exponent = -exponent }
        }
        if index < bytes.count { return .failure(.unexpectedCharacter(character(in: bytes, at: index), offset: index)) }
        // units = digits × 10^(exponent + pointShift + 18), rounded half-to-even.
        let shift = exponent + pointShift + fractionDigitsCount
        if digits.isEmpty { return .success(.zero) }
        if digits.count + shift > 39 { return .failure(.tooLarge) }
        var units: Int128 = 0
        let kept = shift >= 0 ? digits.count : digits.count + shift
        if kept > 0 { for digit in digits.prefix(kept) { units = units * 10 + Int128(digit) } }
        if shift > 0 {
            for _ in 0..<shift {
                let (next, overflow) = units.multipliedReportingOverflow(by: 10)
                if overflow { return .failure(.tooLarge) }
                units = next
            }
        } else if shift < 0 {
            let dropped = kept >= 0 ? Array(digits.dropFirst(kept)) : Array(repeating: 0, count: -kept) + digits
            let first = dropped.first ?? 0
            let restNonZero = dropped.dropFirst().contains { $0 != 0 }
            if first > 5 || (first == 5 && (restNonZero || units & 1 == 1)) { units += 1 }
        }
        return .success(ExactDecimal(units: negative ? -units : units))
    }

    private static let fractionDigitsCount = ExactDecimal.fractionDigits

    /// `nan`, `inf`, `infinity` (any case, signed) and `0x...`: what Double() would accept.
    static func isNotFinite(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        var text = String(decoding: bytes, as: UTF8.self).lowercased()
        if text.hasPrefix("-") || text.hasPrefix("+") { text.removeFirst() }
        return text == "nan" || text == "inf" || text == "infinity" || text.hasPrefix("0x")
    }

    private static func character(in bytes: [UInt8], at index: Int) -> Character {
        String(decoding: bytes[index...], as: UTF8.self).first ?? "?"
    }

    private static func character(in bytes: UnsafeBufferPointer<UInt8>, at index: Int) -> Character {
        let tail = String(decoding: UnsafeBufferPointer(rebasing: bytes[index...]), as: UTF8.self)
        return tail.first ?? "?"
    }
}
