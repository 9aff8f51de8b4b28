import Testing
@testable import HedgeLedger

@Suite("Timestamps")
struct TimestampTests {
    @Test("reads ISO-8601 with a zone into UTC microseconds",
          arguments: [("2026-11-20T14:03:00Z", "2026-11-20T14:03:00Z"),
                      ("2026-11-20 14:03:00.25Z", "2026-11-20T14:03:00.250000Z"),
                      ("2026-11-20T15:03:00+01:00", "2026-11-20T14:03:00Z"),
                      ("2026-11-20T09:03:00-0500", "2026-11-20T14:03:00Z"),
                      ("2026-11-21T00:33:00.000001+10:30", "2026-11-20T14:03:00.000001Z"),
                      ("2024-02-29T23:59:59.999999Z", "2024-02-29T23:59:59.999999Z"),
                      ("1970-01-01T00:00:00Z", "1970-01-01T00:00:00Z"),
                      ("9999-12-31T23:59:59.999999Z", "9999-12-31T23:59:59.999999Z")])
    func reads(input: String, utc: String) {
        #expect(time(input).iso8601 == utc)
    }

    @Test("refuses naive, impossible, too precise and epoch times",
          arguments: ["2026-11-20T14:03:00", "2026-02-30T00:00:00Z", "2025-02-29T00:00:00Z", "2026-13-01T00:00:00Z",
                      "2026-11-20T24:00:00Z", "2026-11-20T14:60:00Z", "2026-11-20T14:03:00.1234567Z", "1763647380",
                      "1763647380000", "20/11/2026 14:03", "2026-11-20", "2026-11-20T14:03:00ZZ", "",
                      // Outside 1970-9999 once the offset is applied.
                      "1969-12-31T23:59:59Z", "1970-01-01T00:30:00+01:00", "9999-12-31T23:30:00-01:00", "0000-01-01T00:00:00Z"])
    func refuses(input: String) {
        guard case .failure = TimestampSyntax.parse(input) else { Issue.record("'\(input)' was accepted"); return }
    }

    @Test("a naive time is UTC only when asked")
    func assumeUTC() {
        guard case .failure(let problem) = TimestampSyntax.parse("2026-11-20T14:03:00") else { Issue.record("accepted"); return }
        #expect(problem.description.contains("--assume-utc"))
        guard case .success(let value) = TimestampSyntax.parse("2026-11-20T14:03:00", assumeUTC: true) else { Issue.record("refused"); return }
        #expect(value.iso8601 == "2026-11-20T14:03:00Z")
    }

    @Test("calendar arithmetic round-trips across centuries")
    func roundTrip() {
        for days in stride(from: -800_000, through: 800_000, by: 997) {
            let civil = CivilCalendar.civilFromDays(days)
            #expect(CivilCalendar.daysFromCivil(year: civil.year, month: civil.month, day: civil.day) == days)
        }
    }
}
