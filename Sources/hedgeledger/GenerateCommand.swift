import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate realistic sample data for tests and benchmarks.",
            subcommands: [Trades.self, Snapshots.self, DeribitLog.self])
    }
}

extension Hedgeledger.Generate {
    struct Trades: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write a trade CSV in the native format: a BTC and ETH options book hedged with perpetuals.",
            discussion: "The same seed gives the same file on every machine.")

        @Option(help: "How many fills to generate.")
        var rows = 3000

        @Option(help: "Random seed.")
        var seed: UInt64 = 1

        @Option(help: ArgumentHelp("When the session starts (ISO-8601, or a date meaning 00:00Z).", valueName: "time"), transform: TimeArgument.parse)
        var start: Timestamp?

        @Option(help: "How many days the fills span.")
        var days = 5

        @Option(help: ArgumentHelp("Books to spread the flow across, comma-separated.", valueName: "names"))
        var books = "main"

        @Option(help: ArgumentHelp("Also write the session's market snapshots (every 15 minutes) to this file.",
                                   valueName: "file"))
        var snapshots: String?

        @Option(name: [.short, .long], help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
        var output: String?

        /// Declared so that `--db` given before `generate` is refused, not silently ignored.
        @OptionGroup(visibility: .hidden) var ledger: LedgerOptions

        func validate() throws {
            try ledger.refuseForFilesOnly("generate")
            guard rows > 0 else { throw ValidationError("--rows must be at least 1") }
            guard days > 0 else { throw ValidationError("--days must be at least 1") }
            guard !bookList.isEmpty else { throw ValidationError("--books needs at least one name") }
        }

        var bookList: [String] { books.split(separator: ",").map(String.init).filter { !$0.isEmpty } }

        var settings: TradeGenerator.Settings {
            var settings = TradeGenerator.Settings()
            settings.rows = rows
            settings.seed = seed
            settings.days = days
            settings.books = bookList
            if let start { settings.start = start }
            return settings
        }

        func run() throws {
            try Console.run {
                let file = try OutputFile(path: output)
                try file.writeLine(TradeGenerator.header)
                if let snapshots {
                    let marks = try OutputFile(path: snapshots)
                    try marks.writeLine(TradeGenerator.snapshotHeader)
                    try TradeGenerator(settings: settings).generate({ try file.writeLine($0) }, marks: { try marks.writeLine($0) })
                    try marks.flush()
                } else {
                    try TradeGenerator(settings: settings).generate { try file.writeLine($0) }
                }
                try file.flush()
            }
        }
    }

    struct Snapshots: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write market snapshots of a fixed option chain in the native snapshot format.",
            discussion: "The defaults make a month of one-minute marks of 200 options: about 8.8 million rows. The same seed gives the same file.")

        @Option(help: "How many days of marks.")
        var days = 30

        @Option(help: ArgumentHelp("Seconds between marks.", valueName: "seconds"))
        var interval: Int64 = 60

        @Option(help: "How many options in the chain.")
        var options = 200

        @Option(help: "Random seed.")
        var seed: UInt64 = 1

        @Option(help: ArgumentHelp("When the marks start (ISO-8601, or a date meaning 00:00Z).", valueName: "time"), transform: TimeArgument.parse)
        var start: Timestamp?

        @Option(name: [.short, .long], help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
        var output: String?

        /// Declared so that `--db` given before `generate` is refused, not silently ignored.
        @OptionGroup(visibility: .hidden) var ledger: LedgerOptions

        func validate() throws {
            try ledger.refuseForFilesOnly("generate")
            guard days > 0, interval > 0, options > 0 else { throw ValidationError("--days, --interval and --options must be at least 1") }
        }

        func run() throws {
            try Console.run {
                var settings = SnapshotGenerator.Settings()
                settings.days = days
                settings.intervalSeconds = interval
                settings.options = options
                settings.seed = seed
                if let start { settings.start = start }
                let file = try OutputFile(path: output)
                try file.writeLine(SnapshotGenerator.header)
                try SnapshotGenerator(settings: settings).generate { try file.writeLine($0) }
                try file.flush()
            }
        }
    }

    struct DeribitLog: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "deribit-log",
            abstract: "Write a Deribit transaction log (header version 4) of one BTC account.",
            discussion: """
                A deposit, trades in the perpetual, a future and options, daily 08:00 settlements \
                and, about one row in 500, a transfer (a log of a few hundred rows may have none), \
                each row's Position and Balance consistent with the rows before, so \
                `import trades` accepts it with its checks on. Name the file \
                transaction_log-<uid>-BTC-….csv so the import knows the account. The same seed gives \
                the same file.
                """)

        @Option(help: "How many rows.")
        var rows = 10_000

        @Option(help: "Random seed.")
        var seed: UInt64 = 1

        @Option(help: "How many days the rows span.")
        var days = 20

        @Option(help: ArgumentHelp("When the log starts (ISO-8601, or a date meaning 00:00Z); default 2026-11-02. Its rows run --days on from it, past now if it is recent.", valueName: "time"), transform: TimeArgument.parse)
        var start: Timestamp?

        @Option(name: [.short, .long], help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
        var output: String?

        /// Declared so that `--db` given before `generate` is refused, not silently ignored.
        @OptionGroup(visibility: .hidden) var ledger: LedgerOptions

        func validate() throws {
            try ledger.refuseForFilesOnly("generate")
            guard rows > 0, days > 0 else { throw ValidationError("--rows and --days must be at least 1") }
        }

        func run() throws {
            try Console.run {
                var settings = DeribitLogGenerator.Settings()
                settings.rows = rows
                settings.seed = seed
                settings.days = days
                if let start { settings.start = start }
                let file = try OutputFile(path: output)
                try file.writeLine(DeribitLogGenerator.header)
                try DeribitLogGenerator(settings: settings).generate { try file.writeLine($0) }
                try file.flush()
            }
        }
    }
}
