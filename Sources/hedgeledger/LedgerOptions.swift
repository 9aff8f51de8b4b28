import ArgumentParser
import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

/// `--db`, shared by every command that opens the ledger.
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

    /// Opens the ledger, creating it only for commands that write.
    func open(create: Bool, now: Timestamp) throws -> Ledger {
        try Ledger(path: path, create: create, now: now)
    }
}

/// `--at`, `--book` and `--underlying`: which positions, as of when.
struct PositionScopeOptions: ParsableArguments {
    @Option(help: ArgumentHelp("As of this time (ISO-8601 with a zone, or a date YYYY-MM-DD meaning 00:00Z); default now.",
                               valueName: "time"))
    var at: TimeArgument?

    @Option(help: ArgumentHelp("Only this book.", valueName: "name"))
    var book: String?

    @Option(help: ArgumentHelp("Only instruments on this underlying (BTC, ETH, ...).", valueName: "coin"))
    var underlying: String?

    var filter: PositionsReport.Filter { .init(book: book, underlying: underlying) }
}

/// `--format`, for commands whose output is data.
struct FormatOptions: ParsableArguments {
    @Option(help: "Output format: table (aligned, for people), csv (RFC 4180), or json.")
    var format: OutputFormat = .table
}

extension OutputFormat: ExpressibleByArgument {}

/// Parses a `--at` style time argument with the same grammar as the files.
struct TimeArgument: ExpressibleByArgument {
    let timestamp: Timestamp

    init?(argument: String) {
        // A bare date means the start of that day, UTC.
        let text = argument.count == 10 ? argument + "T00:00:00Z" : argument
        guard case .success(let value) = TimestampSyntax.parse(text) else { return nil }
        timestamp = value
    }

    static var defaultCompletionKind: CompletionKind { .default }
}
