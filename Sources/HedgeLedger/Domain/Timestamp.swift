/// A moment in UTC, as integer microseconds since 1970-01-01T00:00:00Z.
///
/// The ledger stores and compares only this; text appears at the edges (import, output).
public struct Timestamp: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let microseconds: Int64

    public init(microseconds: Int64) { self.microseconds = microseconds }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.microseconds < b.microseconds }

    /// The moments the ledger accepts, from files or its database: years 1970 to 9999.
    public static let supported = Timestamp(microseconds: 0)...Timestamp(year: 9999, month: 12, day: 31, hour: 23, minute: 59,
                                                                           second: 59, microsecond: 999_999)

    public static let microsecondsPerSecond: Int64 = 1_000_000
    public static let microsecondsPerDay: Int64 = 86_400 * 1_000_000

    /// Saturates at the ends of Int64 rather than trapping: callers compare the result with
    /// stored times, which all lie in `supported`.
    public func adding(seconds: Int64) -> Timestamp {
        let (scaled, overflow) = seconds.multipliedReportingOverflow(by: Self.microsecondsPerSecond)
        if overflow { return Timestamp(microseconds: seconds < 0 ? .min : .max) }
        let (sum, overflowed) = microseconds.addingReportingOverflow(scaled)
        if overflowed { return Timestamp(microseconds: scaled < 0 ? .min : .max) }
        return Timestamp(microseconds: sum)
    }

    /// Seconds from `earlier` to self, as a Double: never overflows, whatever the inputs.
    public func seconds(since earlier: Timestamp) -> Double {
        (Double(microseconds) - Double(earlier.microseconds)) / 1e6
    }

    /// Calendar fields in UTC; `day` counts from 1.
    public init(year: Int, month: Int, day: Int, hour: Int = 0, minute: Int = 0, second: Int = 0, microsecond: Int = 0) {
        let days = CivilCalendar.daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second)
        self.microseconds = seconds * Self.microsecondsPerSecond + Int64(microsecond)
    }

    /// ISO-8601 in UTC with `Z`; the fraction appears only when there is one.
    public var description: String { iso8601 }

    public var iso8601: String {
        let (days, micros) = microseconds.floorDivided(by: Self.microsecondsPerDay)
        let (year, month, day) = CivilCalendar.civilFromDays(Int(days))
        let secondOfDay = Int(micros / Self.microsecondsPerSecond)
        let fraction = Int(micros % Self.microsecondsPerSecond)
        var text = pad(year, 4) + "-" + pad(month, 2) + "-" + pad(day, 2)
        text += "T" + pad(secondOfDay / 3600, 2) + ":" + pad(secondOfDay / 60 % 60, 2) + ":" + pad(secondOfDay % 60, 2)
        if fraction != 0 { text += "." + pad(fraction, 6) }
        return text + "Z"
    }

    /// The date part, `YYYY-MM-DD`, in UTC.
    public var dateString: String { String(iso8601.prefix(10)) }

    private func pad(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.count >= width ? digits : String(repeating: "0", count: width - digits.count) + digits
    }
}

extension Int64 {
    /// Division rounding toward negative infinity, with a non-negative remainder.
    func floorDivided(by divisor: Int64) -> (quotient: Int64, remainder: Int64) {
        var q = self / divisor, r = self % divisor
        if r < 0 { q -= 1; r += divisor }
        return (q, r)
    }
}

/// Proleptic Gregorian calendar arithmetic (Howard Hinnant's days_from_civil algorithms).
enum CivilCalendar {
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    static func civilFromDays(_ days: Int) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let day = doy - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }

    static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }
}
