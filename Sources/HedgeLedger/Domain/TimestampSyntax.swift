/// The timestamp grammar of every file the ledger reads:
///
///     YYYY-MM-DD ("T" | " ") HH:MM[:SS[.f{1,6}]] ( "Z" | ±HH:MM | ±HHMM | ±HH )
///
/// A timestamp without a zone is refused unless the caller assumes UTC: a naive local
/// time silently read as UTC shifts every fill by hours. More than microsecond precision,
/// impossible dates (2026-02-30) and epoch numbers are refused with their own messages.
public enum TimestampSyntax {
    public enum Problem: Error, Equatable, Sendable, CustomStringConvertible {
        case empty
        case epochNumber
        case malformed
        case missingZone
        case outOfRange(String)
        case tooPrecise

        public var description: String {
            switch self {
            case .empty: return "is empty"
            case .epochNumber: return "looks like an epoch number; write ISO-8601 such as 2026-11-20T14:03:00Z"
            case .malformed: return "is not an ISO-8601 timestamp such as 2026-11-20T14:03:00.250Z"
            case .missingZone: return "has no time zone; add Z or an offset such as +01:00, or pass --assume-utc"
            case .outOfRange(let what): return "has an impossible \(what)"
            case .tooPrecise: return "has more than 6 fractional digits; the ledger keeps microseconds"
            }
        }
    }

    public static func parse(_ text: String, assumeUTC: Bool = false) -> Result<Timestamp, Problem> {
        if let result = text.utf8.withContiguousStorageIfAvailable({ parse(bytes: $0, assumeUTC: assumeUTC) }) { return result }
        return Array(text.utf8).withUnsafeBufferPointer { parse(bytes: $0, assumeUTC: assumeUTC) }
    }

    public static func parse(bytes b: UnsafeBufferPointer<UInt8>, assumeUTC: Bool) -> Result<Timestamp, Problem> {
        if b.isEmpty { return .failure(.empty) }
        if b.allSatisfy({ $0 >= 48 && $0 <= 57 || $0 == UInt8(ascii: ".") }) { return .failure(.epochNumber) }
        var i = 0
        func digits(_ count: Int) -> Int? {
            guard i + count <= b.count else { return nil }
            var value = 0
            for k in i..<(i + count) {
                let d = b[k]
                guard d >= 48 && d <= 57 else { return nil }
                value = value * 10 + Int(d - 48)
            }
            i += count
            return value
        }
        func expect(_ char: Unicode.Scalar) -> Bool {
            guard i < b.count, b[i] == UInt8(ascii: char) else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2) else {
            return .failure(.malformed)
        }
        guard i < b.count, b[i] == UInt8(ascii: "T") || b[i] == UInt8(ascii: " ") || b[i] == UInt8(ascii: "t") else {
            return .failure(.malformed)
        }
        i += 1
        guard let hour = digits(2), expect(":"), let minute = digits(2) else { return .failure(.malformed) }
        var second = 0, micro = 0
        if expect(":") {
            guard let s = digits(2) else { return .failure(.malformed) }
            second = s
            if expect(".") || expect(",") {
                var count = 0
                while i < b.count, b[i] >= 48, b[i] <= 57 {
                    count += 1
                    if count > 6 { return .failure(.tooPrecise) }
                    micro = micro * 10 + Int(b[i] - 48)
                    i += 1
                }
                if count == 0 { return .failure(.malformed) }
                for _ in count..<6 { micro *= 10 }
            }
        }
        guard (1...12).contains(month) else { return .failure(.outOfRange("month \(month)")) }
        guard (1...CivilCalendar.daysInMonth(year: year, month: month)).contains(day) else {
            return .failure(.outOfRange("day \(day) for month \(month) of \(year)"))
        }
        guard hour < 24 else { return .failure(.outOfRange("hour \(hour)")) }
        guard minute < 60 else { return .failure(.outOfRange("minute \(minute)")) }
        guard second < 60 else { return .failure(.outOfRange("second \(second)")) }

        var offsetSeconds = 0
        if i == b.count {
            guard assumeUTC else { return .failure(.missingZone) }
        } else if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            let sign = b[i] == UInt8(ascii: "-") ? -1 : 1
            i += 1
            guard let offsetHours = digits(2) else { return .failure(.malformed) }
            var offsetMinutes = 0
            if i < b.count {
                _ = expect(":")
                guard let m = digits(2) else { return .failure(.malformed) }
                offsetMinutes = m
            }
            guard offsetHours <= 18, offsetMinutes < 60 else { return .failure(.outOfRange("zone offset")) }
            offsetSeconds = sign * (offsetHours * 3600 + offsetMinutes * 60)
        } else {
            return .failure(.malformed)
        }
        guard i == b.count else { return .failure(.malformed) }
        let local = Timestamp(year: year, month: month, day: day, hour: hour, minute: minute, second: second, microsecond: micro)
        let utc = Timestamp(microseconds: local.microseconds - Int64(offsetSeconds) * Timestamp.microsecondsPerSecond)
        guard Timestamp.supported.contains(utc) else { return .failure(.outOfRange("year: the ledger accepts 1970 to 9999 (in UTC)")) }
        return .success(utc)
    }
}
