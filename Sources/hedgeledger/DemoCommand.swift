import ArgumentParser
import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

extension Hedgeledger {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a sample ledger from generated data and show its positions.",
            discussion: """
                Generates five days of a BTC and ETH options book hedged with perpetuals (a few \
                thousand fills) as a trade CSV, imports it into a fresh database, and prints the \
                positions at the end of the session. The files stay in the directory so you can \
                explore them with the other commands.
                """)

        @Option(help: ArgumentHelp("Where to put trades.csv and demo.sqlite; default a new temporary directory. An earlier demo.sqlite there is replaced.",
                                   valueName: "dir"))
        var dir: String?

        @Option(help: "Random seed for the generated session.")
        var seed: UInt64 = 7

        @Option(help: "How many fills to generate.")
        var rows = 3000

        func run() throws {
            try Console.run {
                let directory = try prepareDirectory()
                let tradesPath = directory + "/trades.csv"
                let databasePath = directory + "/demo.sqlite"
                for suffix in ["", "-wal", "-shm"] { unlink(databasePath + suffix) }

                var settings = TradeGenerator.Settings()
                settings.seed = seed
                settings.rows = rows
                settings.books = ["main"]
                let file = try OutputFile(path: tradesPath)
                try file.writeLine(TradeGenerator.header)
                let last = try TradeGenerator(settings: settings).generate { try file.writeLine($0) }
                try file.flush()

                let now = Console.now()
                let ledger = try Ledger(path: databasePath, create: true, now: now)
                let summary = try TradeImporter(ledger: ledger).importTrades(from: try ByteSource(path: tradesPath), now: now)
                Console.message(summary.line)
                Console.message("Positions at the end of the session, \(last.iso8601):")
                let report = try PositionsReport.build(ledger: ledger, at: last, now: now)
                Console.output(OutputFormat.table.render(report.table))
                Console.message("""

                    Files: \(tradesPath) and \(databasePath). Try:
                      hedgeledger positions --db \(databasePath) --at \(settings.start.adding(seconds: 2 * 86_400).iso8601) --underlying BTC
                      hedgeledger positions --db \(databasePath) --format json
                    """)
            }
        }

        private func prepareDirectory() throws -> String {
            if let dir {
                if mkdir(dir, 0o755) != 0 && errno != EEXIST {
                    throw ValidationError("cannot create \(dir): \(String(cString: strerror(errno)))")
                }
                return dir
            }
            var template = Array("/tmp/hedgeledger-demo.XXXXXX".utf8CString)
            guard let made = mkdtemp(&template) else {
                throw ValidationError("cannot create a temporary directory: \(String(cString: strerror(errno)))")
            }
            return String(cString: made)
        }
    }
}
