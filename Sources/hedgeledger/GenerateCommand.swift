import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Generate realistic sample data for tests and benchmarks.",
            subcommands: [Trades.self])
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

        @Option(help: ArgumentHelp("When the session starts (ISO-8601, or a date meaning 00:00Z).", valueName: "time"))
        var start: TimeArgument?

        @Option(help: "How many days the fills span.")
        var days = 5

        @Option(help: ArgumentHelp("Books to spread the flow across, comma-separated.", valueName: "names"))
        var books = "main"

        @Option(name: [.short, .long], help: ArgumentHelp("Write here instead of standard output.", valueName: "file"))
        var output: String?

        func validate() throws {
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
            if let start { settings.start = start.timestamp }
            return settings
        }

        func run() throws {
            try Console.run {
                let file = try OutputFile(path: output)
                try file.writeLine(TradeGenerator.header)
                try TradeGenerator(settings: settings).generate { try file.writeLine($0) }
                try file.flush()
            }
        }
    }
}
