import ArgumentParser
import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

/// `--db`, shared by the root command and every command that opens the ledger, so it works
/// before the subcommand (`hedgeledger --db X positions`, like `git -C`) and after it.
struct LedgerOptions: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp(
        "The ledger database file.",
        discussion: "Defaults to $HEDGELEDGER_DB, or ./hedgeledger.sqlite.",
        valueName: "path"))
    var db: String?

    var path: String {
        if let db { return db }
        if let fromEnvironment = getenv("HEDGELEDGER_DB").map({ String(cString: $0) }), !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        return "hedgeledger.sqlite"
    }

    func validate() throws {
        if db?.isEmpty == true { throw ValidationError("--db needs a file path") }
    }

    /// For commands that open no ledger: a `--db` given to them is a mistake worth saying.
    func refuseForFilesOnly(_ command: String, because reason: String = "it writes only CSV files") throws {
        guard db == nil else { throw ValidationError("--db does not apply to \(command): \(reason)") }
    }

    /// Opens the ledger read-only: what every command that only reads uses. It never creates,
    /// migrates or otherwise changes the file.
    func openForReading(now: Timestamp) throws -> Ledger {
        try Ledger(path: path, access: .read, now: now)
    }

    /// Opens the ledger to write, creating it when `create`; an existing ledger's schema is
    /// brought up to date only when `migrate` (init).
    func openForWriting(create: Bool, migrate: Bool = false, now: Timestamp) throws -> Ledger {
        try Ledger(path: path, access: .write(create: create, migrate: migrate), now: now)
    }
}

/// `--at`, `--book` and `--underlying`: which positions, as of when.
struct PositionScopeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("As of this time: ISO-8601 with a zone (2026-11-20T14:03:00Z, a space for T is fine), or a date YYYY-MM-DD meaning 00:00Z; default now.",
                               valueName: "time"),
            transform: TimeArgument.parse)
    var at: Timestamp?

    @Option(help: ArgumentHelp("Only this book (an unknown name is an error listing the books).", valueName: "name"))
    var book: String?

    @Option(help: ArgumentHelp("Only instruments on this underlying (BTC, ETH, ...; any case).", valueName: "coin"))
    var underlying: String?

    var filter: PositionsReport.Filter { .init(book: book, underlying: underlying) }
}

/// `--book`, `--underlying`, `--from` and `--to`: which pairs, over which range of time.
struct RangeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Only this book (an unknown name is an error listing the books).", valueName: "name"))
    var book: String?

    @Option(help: ArgumentHelp("Only this underlying (BTC, ETH, ...; any case).", valueName: "coin"))
    var underlying: String?

    @Option(help: ArgumentHelp("From this time, inclusive: ISO-8601 with a zone, or a date.", valueName: "time"), transform: TimeArgument.parse)
    var from: Timestamp?

    @Option(help: ArgumentHelp("Up to this time, inclusive: ISO-8601 with a zone, or a date.", valueName: "time"), transform: TimeArgument.parse)
    var to: Timestamp?

    func validate() throws {
        if let from, let to, to < from { throw ValidationError("--to \(to.iso8601) is before --from \(from.iso8601)") }
    }

    var filter: PositionsReport.Filter { .init(book: book, underlying: underlying) }
}

/// `--max-mark-age`: how old a mark may be before it is flagged stale.
struct MarkAgeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Marks older than this are flagged stale.", valueName: "seconds"))
    var maxMarkAge: Int64 = MarketView.defaultMaxMarkAgeSeconds

    func validate() throws {
        guard (1...(366 * 86_400 * 100)).contains(maxMarkAge) else {
            throw ValidationError("--max-mark-age must be from 1 second to 100 years")
        }
    }
}

/// `--format`, for commands whose output is data.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output format: table (aligned, for people), csv (RFC 4180), or json (one object; see docs/json.md).")
    var format: OutputFormat = .table
}

extension FormatOptions {
    /// What every read command does: opens the ledger read-only, builds its report (given the
    /// ledger and the time now), and prints it in the chosen format.
    func printReport(of ledger: LedgerOptions, _ build: (Ledger, Timestamp) throws -> Report) throws {
        try Console.run {
            let now = Console.now()
            Console.output(format.render(try build(try ledger.openForReading(now: now), now)))
        }
    }
}

extension OutputFormat: ExpressibleByArgument {}

/// A time argument, read with the files' grammar (a zone is required), a space instead of
/// `T`, or a bare date meaning its 00:00 UTC.
enum TimeArgument {
    static let expected = "expected ISO-8601 with a zone such as 2026-11-20T14:03:00Z or 2026-11-20 15:03+01:00, or a date such as 2026-11-20"

    static func parse(_ argument: String) throws -> Timestamp {
        let text = argument.trimmingCharacters(in: " ")
        let isDate = text.utf8.count == 10 && text.utf8.enumerated().allSatisfy { index, byte in
            index == 4 || index == 7 ? byte == UInt8(ascii: "-") : (byte >= 48 && byte <= 57)
        }
        switch TimestampSyntax.parse(isDate ? text + "T00:00:00Z" : text) {
        case .success(let value): return value
        case .failure(.missingZone): throw ValidationError("'\(argument.escapingControlCharacters)' has no time zone; \(expected)")
        case .failure(let problem): throw ValidationError("'\(argument.escapingControlCharacters)' \(problem); \(expected)")
        }
    }
}

/// A duration argument: a number and a unit (s, m, h, d: 90m, 2d, 300s) or seconds, up to ten years.
enum DurationArgument {
    static func seconds(_ text: String, option: String) throws -> Int64 {
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        let trimmed = text.trimmingCharacters(in: " ")
        if let unit = trimmed.last.flatMap({ units[$0] }), let count = Int64(trimmed.dropLast()), count > 0, count <= 3650 * 86_400 / unit {
            return count * unit
        }
        if let seconds = Int64(trimmed), seconds > 0, seconds <= 3650 * 86_400 { return seconds }
        throw ValidationError("\(option) '\(text.escapingControlCharacters)' is not a duration such as 1m, 5m, 1h, 1d or 300 (seconds), at most ten years")
    }
}
