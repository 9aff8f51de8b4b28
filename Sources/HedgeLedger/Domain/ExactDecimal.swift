/// An exact decimal amount: quantities, prices, fees and cash.
///
/// Stored as an integer count of 10⁻¹⁸ units in an `Int128`, so every decimal the ledger
/// accepts (up to 18 fractional digits: satoshi and wei included) is held without drift, and
/// addition and subtraction are exact. Multiplication and division round half-to-even at the
/// 18th place; that happens only where the domain divides (average prices, inverse P&L).
/// The range is about ±1.7 × 10²⁰, far past any position a desk holds; overflow traps
/// like `Int` arithmetic does rather than wrapping silently.
public struct ExactDecimal: Sendable, Hashable, Comparable {
    public static let fractionDigits = 18
    static let unitsPerOne: Int128 = 1_000_000_000_000_000_000

    /// The value × 10¹⁸.
    public let units: Int128

    public init(units: Int128) { self.units = units }

    public init(_ integer: Int) { self.units = Int128(integer) * Self.unitsPerOne }

    public static let zero = ExactDecimal(units: 0)
    public static let one = ExactDecimal(1)

    public var isZero: Bool { units == 0 }
    public var isNegative: Bool { units < 0 }
    public var isPositive: Bool { units > 0 }
    public var magnitude: ExactDecimal { ExactDecimal(units: units < 0 ? -units : units) }
    public var signum: Int { units == 0 ? 0 : (units < 0 ? -1 : 1) }

    public static func < (a: ExactDecimal, b: ExactDecimal) -> Bool { a.units < b.units }
    public static prefix func - (a: ExactDecimal) -> ExactDecimal { ExactDecimal(units: -a.units) }
    public static func + (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal { ExactDecimal(units: a.units + b.units) }
    public static func - (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal { ExactDecimal(units: a.units - b.units) }
    public static func += (a: inout ExactDecimal, b: ExactDecimal) { a = a + b }
    public static func -= (a: inout ExactDecimal, b: ExactDecimal) { a = a - b }

    public static func * (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal {
        ExactDecimal(units: roundedQuotient(a.units.multipliedFullWidth(by: b.units), dividedBy: unitsPerOne))
    }

    /// Division rounded half-to-even at the 18th fractional digit. Dividing by zero traps:
    /// callers check, because what a zero divisor means depends on the domain.
    public static func / (a: ExactDecimal, b: ExactDecimal) -> ExactDecimal {
        precondition(!b.isZero, "ExactDecimal division by zero")
        return ExactDecimal(units: roundedQuotient(a.units.multipliedFullWidth(by: unitsPerOne), dividedBy: b.units))
    }

    /// Exact: whether self = k × step for a whole k.
    public func isMultiple(of step: ExactDecimal) -> Bool { !step.isZero && units % step.units == 0 }

    /// Rounds half-to-even at `places` fractional digits (0...18).
    public func rounded(toPlaces places: Int) -> ExactDecimal {
        precondition((0...Self.fractionDigits).contains(places))
        var step: Int128 = 1
        for _ in 0..<(Self.fractionDigits - places) { step *= 10 }
        let q = Self.roundedQuotient((high: units < 0 ? -1 : 0, low: UInt128(truncatingIfNeeded: units)), dividedBy: step)
        return ExactDecimal(units: q * step)
    }

    private static func roundedQuotient(_ dividend: (high: Int128, low: UInt128), dividedBy divisor: Int128) -> Int128 {
        let (quotient, remainder) = divisor.dividingFullWidth(dividend)
        if remainder == 0 { return quotient }
        // |r| < |d| ≤ 2¹²⁷, so 2|r| fits in a UInt128.
        let r = remainder.magnitude, d = divisor.magnitude
        let twiceR = r &<< 1
        let negative = (dividend.high < 0) != (divisor < 0)
        let roundAway = twiceR > d || (twiceR == d && quotient & 1 != 0)
        guard roundAway else { return quotient }
        return negative ? quotient - 1 : quotient + 1
    }
}

extension ExactDecimal: CustomStringConvertible {
    /// The canonical form: no exponent, no trailing fractional zeros, `-` for negatives.
    public var description: String {
        let (whole, fractionUnits) = units.magnitude.quotientAndRemainder(dividingBy: UInt128(Self.unitsPerOne))
        // Written digit by digit into a small buffer: this runs for every amount stored.
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48)
        if units < 0 { bytes.append(UInt8(ascii: "-")) }
        if whole <= UInt128(UInt64.max) {
            bytes.append(contentsOf: String(UInt64(whole)).utf8)
        } else {
            bytes.append(contentsOf: String(whole).utf8)
        }
        var fraction = UInt64(fractionUnits)  // < 10¹⁸: 64-bit arithmetic from here on
        if fraction != 0 {
            var digits = Self.fractionDigits
            while fraction % 10 == 0 { fraction /= 10; digits -= 1 }
            bytes.append(UInt8(ascii: "."))
            bytes.append(contentsOf: repeatElement(UInt8(ascii: "0"), count: digits))
            var index = bytes.count - 1
            while fraction > 0 {
                bytes[index] = UInt8(ascii: "0") + UInt8(fraction % 10)
                fraction /= 10
                index -= 1
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// A `Double` approximation, for pricing inputs and charts only: never for amounts.
    public var doubleValue: Double {
        let whole = units / Self.unitsPerOne, fraction = units % Self.unitsPerOne
        return Double(whole) + Double(fraction) / 1e18
    }

    /// The nearest exact decimal to a `Double`, rounded to `places` fractional digits.
    /// Used by data generators, never by importers.
    public init(approximating value: Double, places: Int) {
        precondition(value.isFinite && (0...12).contains(places))
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int128((value * scale).rounded(.toNearestOrEven))
        var step: Int128 = 1
        for _ in 0..<(Self.fractionDigits - places) { step *= 10 }
        self.units = scaled * step
    }
}
