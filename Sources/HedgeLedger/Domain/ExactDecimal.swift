/// An exact decimal amount: quantities, prices, fees and cash.
///
/// Stored as an integer count of 10⁻¹⁸ units in an `Int128`, so every decimal the ledger
/// accepts (up to 18 fractional digits: satoshi and wei included) is held without drift, and
/// addition and subtraction are exact. Multiplication and division round half-to-even at the
/// 18th place; that happens only where the domain divides (average prices, inverse P&L).
///
/// The range is about ±1.7 × 10²⁰. Every value may come from a hostile file or database, so
/// arithmetic is checked: an operation whose result leaves the range, or a division by
/// zero, throws `ArithmeticOverflow` instead of trapping, and callers turn it into an error
/// that names the data. `Int128.min` is outside the range, so negation never overflows.
public struct ExactDecimal: Sendable, Hashable, Comparable {
    public static let fractionDigits = 18
    static let unitsPerOne: Int128 = 1_000_000_000_000_000_000

    /// The value × 10¹⁸.
    public let units: Int128

    public init(units: Int128) {
        self.units = units == .min ? -.max : units
    }

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

    public static func + (a: ExactDecimal, b: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        let (sum, overflow) = a.units.addingReportingOverflow(b.units)
        guard !overflow, sum != .min else { throw ArithmeticOverflow(a, "+", b) }
        return ExactDecimal(units: sum)
    }

    public static func - (a: ExactDecimal, b: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        let (difference, overflow) = a.units.subtractingReportingOverflow(b.units)
        guard !overflow, difference != .min else { throw ArithmeticOverflow(a, "-", b) }
        return ExactDecimal(units: difference)
    }

    public static func += (a: inout ExactDecimal, b: ExactDecimal) throws(ArithmeticOverflow) { a = try a + b }
    public static func -= (a: inout ExactDecimal, b: ExactDecimal) throws(ArithmeticOverflow) { a = try a - b }

    public static func * (a: ExactDecimal, b: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        let negative = (a.units < 0) != (b.units < 0)
        let product = a.units.magnitude.multipliedFullWidth(by: b.units.magnitude)
        guard let units = roundedQuotient(product, dividedBy: UInt128(unitsPerOne), negative: negative) else {
            throw ArithmeticOverflow(a, "×", b)
        }
        return ExactDecimal(units: units)
    }

    /// Division rounded half-to-even at the 18th fractional digit; dividing by zero throws.
    public static func / (a: ExactDecimal, b: ExactDecimal) throws(ArithmeticOverflow) -> ExactDecimal {
        guard !b.isZero else { throw ArithmeticOverflow(a, "÷", b) }
        let negative = (a.units < 0) != (b.units < 0)
        let scaled = a.units.magnitude.multipliedFullWidth(by: UInt128(unitsPerOne))
        guard let units = roundedQuotient(scaled, dividedBy: b.units.magnitude, negative: negative) else {
            throw ArithmeticOverflow(a, "÷", b)
        }
        return ExactDecimal(units: units)
    }

    /// Exact: whether self = k × step for a whole k.
    public func isMultiple(of step: ExactDecimal) -> Bool { !step.isZero && units % step.units == 0 }

    /// Rounded half-to-even at `places` fractional digits (0...18); nil only when rounding up
    /// would leave the range.
    public func rounded(toPlaces places: Int) -> ExactDecimal? {
        precondition((0...Self.fractionDigits).contains(places))
        var step: UInt128 = 1
        for _ in 0..<(Self.fractionDigits - places) { step *= 10 }
        guard let quotient = Self.roundedQuotient((0, units.magnitude), dividedBy: step, negative: false) else { return nil }
        let (scaled, overflow) = quotient.multipliedReportingOverflow(by: Int128(step))
        guard !overflow else { return nil }
        return ExactDecimal(units: units < 0 ? -scaled : scaled)
    }

    /// The magnitude (high, low) ÷ divisor, rounded half-to-even, with the sign applied; nil
    /// when it does not fit.
    private static func roundedQuotient(_ dividend: (high: UInt128, low: UInt128), dividedBy divisor: UInt128,
                                        negative: Bool) -> Int128? {
        guard dividend.high < divisor else { return nil }
        var (quotient, remainder) = divisor.dividingFullWidth(dividend)
        if remainder != 0 {
            // r < d ≤ 2¹²⁸ − 1; compare 2r with d without overflowing.
            let half = divisor - remainder
            if remainder > half || (remainder == half && quotient & 1 != 0) {
                let (next, overflow) = quotient.addingReportingOverflow(1)
                guard !overflow else { return nil }
                quotient = next
            }
        }
        guard quotient <= UInt128(Int128.max) else { return nil }
        return negative ? -Int128(quotient) : Int128(quotient)
    }
}

/// An exact-amount operation whose result leaves the range of `ExactDecimal` (about
/// ±1.7 × 10²⁰), or a division by zero. Carries the operands so the message can name them.
public struct ArithmeticOverflow: Error, Sendable, Hashable, CustomStringConvertible {
    public let expression: String

    init(_ a: ExactDecimal, _ operation: String, _ b: ExactDecimal) {
        expression = "\(a) \(operation) \(b)"
    }

    public var description: String {
        expression.contains("÷ 0") && expression.hasSuffix("÷ 0")
            ? "\(expression): division by zero"
            : "\(expression) is outside the range of exact amounts (±1.7e20)"
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
    /// Whole and fractional parts converted separately, so a decimal such as 93278.17 becomes
    /// the Double nearest to it; both parts go through 64-bit integers, because
    /// `Double(Int128)` is generic code, slow on the import's hot path.
    public var doubleValue: Double {
        let (whole, fraction) = units.quotientAndRemainder(dividingBy: Self.unitsPerOne)
        guard whole >= Int128(Int64.min), whole <= Int128(Int64.max) else {
            let high = Int64(truncatingIfNeeded: units >> 64), low = UInt64(truncatingIfNeeded: units)
            return (Double(high) * 18_446_744_073_709_551_616.0 + Double(low)) / 1e18
        }
        return Double(Int64(truncatingIfNeeded: whole)) + Double(Int64(truncatingIfNeeded: fraction)) / 1e18
    }

    /// The nearest exact decimal to a `Double`, rounded to `places` fractional digits.
    /// Used by data generators, never by importers.
    public init(approximating value: Double, places: Int) {
        precondition(value.isFinite && abs(value) < 1e20 && (0...12).contains(places))
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = Int128((value * scale).rounded(.toNearestOrEven))
        var step: Int128 = 1
        for _ in 0..<(Self.fractionDigits - places) { step *= 10 }
        self.units = scaled * step
    }
}
