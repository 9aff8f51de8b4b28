import ArgumentParser
import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

extension Hedgeledger {
    struct Demo: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Build a sample ledger from generated data and show what its book is exposed to.",
            discussion: """
                Generates a session (five days by default) of a BTC and ETH options book hedged with perpetuals (a few \
                thousand fills) and its market snapshots (index, perpetual and option marks every \
                15 minutes, and the settlement price of each Friday expiry), imports both into a \
                fresh database, recomputes the exposure history, sets hedge policies and records a \
                decision per hedge order, verifies the ledger, writes the end-of-day report of the \
                last day in Markdown and HTML, and prints, per book and underlying at the end of the \
                session, the net delta in coin and USD, gamma, vega, theta and how much of the \
                options' delta the hedges offset. The files stay in the directory, with the \
                commands that show the full tables.
                """)

        @Option(help: ArgumentHelp("Where to put trades.csv, snapshots.csv and demo.sqlite; default a new temporary directory. An earlier demo.sqlite there is replaced.",
                                   valueName: "dir"))
        var dir: String?

        @Option(help: "Random seed for the generated session.")
        var seed: UInt64 = 7

        @Option(help: "How many fills to generate.")
        var rows = 3000

        @Option(help: "How many days the session lasts.")
        var days = 5

        /// Declared so that `--db` given before `demo` is seen and refused, not silently ignored.
        @OptionGroup(visibility: .hidden) var ledger: LedgerOptions

        func validate() throws {
            guard rows > 0, days > 0 else { throw ValidationError("--rows and --days must be at least 1") }
            try ledger.refuseForFilesOnly("demo", because: "it makes its own ledger, demo.sqlite in --dir")
        }

        func run() throws {
            try Console.run {
                let directory = try prepareDirectory()
                let tradesPath = directory + "/trades.csv"
                let snapshotsPath = directory + "/snapshots.csv"
                let databasePath = directory + "/demo.sqlite"
                for suffix in ["", "-wal", "-shm"] { unlink(databasePath + suffix) }

                var settings = TradeGenerator.Settings()
                settings.seed = seed
                settings.rows = rows
                settings.days = days
                settings.books = ["main"]
                let trades = try OutputFile(path: tradesPath)
                let marks = try OutputFile(path: snapshotsPath)
                // The hedge fills name the decision of their order (recorded below, after recompute).
                try trades.writeLine(TradeGenerator.header + "," + DemoJournal.column)
                try marks.writeLine(TradeGenerator.snapshotHeader)
                let last = try TradeGenerator(settings: settings).generate({ try trades.writeLine($0 + "," + (DemoJournal.decisionKey(ofLine: $0) ?? "")) },
                                                                           marks: { try marks.writeLine($0) })
                try trades.flush()
                try marks.flush()

                let now = Console.now()
                let ledger = try Ledger(path: databasePath, create: true, now: now)
                let imported = [
                    try TradeImporter(ledger: ledger).importTrades(from: try ByteSource(path: tradesPath), now: now).line,
                    try SnapshotImporter(ledger: ledger).importSnapshots(from: try ByteSource(path: snapshotsPath), now: now).line,
                ]
                for line in imported { Console.message(line) }
                // Recompute first: it derives the settlements the greeks read.
                let recomputed = try RecomputeService(ledger: ledger, codeVersion: Hedgeledger.version).recompute(now: now)
                Console.message(recomputed.line)
                let decisions = try DemoJournal.record(ledger: ledger, book: "main", start: settings.start, now: now)
                let verified = try LedgerVerifier(ledger: ledger, codeVersion: Hedgeledger.version).verify()
                Console.message("hedge policies set and \(decisions) hedge decisions recorded, one per hedge order; verify: \(verified.passed ? "ok" : "FAILED"), journal chain head \(verified.head?.hash ?? "-")")
                let greeks = try GreeksReport.build(ledger: ledger, at: last, now: now)
                Console.output(OutputFormat.table.render(BookSummary(greeks: greeks).report))
                // The end-of-day report of the session's last day, in Markdown and HTML.
                // The session's last scheduled day (its fills may run a little past it).
                let lastScheduled = settings.start.adding(seconds: Int64(days - 1) * 86_400).microseconds
                let lastDay = Timestamp(microseconds: lastScheduled - lastScheduled % 86_400_000_000)
                let eod = try EndOfDayReport.build(ledger: ledger, date: lastDay, cutoffMinutes: 0, books: [], codeVersion: Hedgeledger.version,
                                                   generatedAt: now, allowStale: false)
                let eodTitle = eod.title
                let eodPath = directory + "/eod-\(eod.date)"
                try ReportFile.write(MarkdownRenderer.render(eod.report, title: eodTitle), to: eodPath + ".md", replacing: true)
                try ReportFile.write(HTMLRenderer.render(eod.report, title: eodTitle, charts: eod.charts), to: eodPath + ".html", replacing: true)
                Console.message("end-of-day report for \(eod.date): \(eodPath).md and \(eodPath).html (\(eod.exceptions.count) exceptions; inputs \(eod.inputsSHA256.prefix(16))…)")
                let dayStart = Timestamp(microseconds: last.microseconds - 86_400_000_000)
                let day = try HistoryReport.build(ledger: ledger, filter: .init(), from: dayStart, to: last, everySeconds: 4 * 3600)
                Console.output("\n" + OutputFormat.table.render(Report(schema: HistoryReport.schema, asOf: last, sections: [day.compactTable])))
                Console.message("""

                    Files: \(tradesPath), \(snapshotsPath) and \(databasePath). Try:
                      hedgeledger --db \(databasePath) history --underlying BTC --every 1h      the exposure history, hour by hour
                      hedgeledger --db \(databasePath) exposure --at \(settings.start.adding(seconds: 86_400 + 14 * 3600 + 180).iso8601)   the book at one moment
                      hedgeledger --db \(databasePath) greeks --at \(last.iso8601)         the full greeks, per position
                      hedgeledger --db \(databasePath) positions --at \(last.iso8601)      positions, settled expiries included
                      hedgeledger --db \(databasePath) positions --at \(settings.start.adding(seconds: 2 * 86_400).iso8601) --underlying BTC
                      hedgeledger --db \(databasePath) greeks --at \(last.iso8601) --format json | python3 -m json.tool
                      hedgeledger --db \(databasePath) hedge list --underlying BTC           the hedge journal, with each decision's execution
                      hedgeledger --db \(databasePath) hedge exceptions                     band breaches not answered in time, unexplained fills
                      hedgeledger --db \(databasePath) verify                               integrity and the journal chain
                      hedgeledger --db \(databasePath) report eod --date \(eod.date) --format json --out -   the end-of-day report
                      hedgeledger --db \(databasePath) backup \(directory)/backup.sqlite        a verified copy
                      hedgeledger --db \(databasePath) imports                              what was imported, with SHA-256
                      hedgeledger --db \(databasePath) fills --instrument BTC-PERPETUAL --from \(eod.date)   the fills behind a position, each with its import and line
                      hedgeledger --db \(databasePath) marks check --at \(last.iso8601)
                    """)
            }
        }

        private func prepareDirectory() throws -> String {
            if let dir {
                if mkdir(dir, 0o755) != 0 && errno != EEXIST {
                    Console.message("hedgeledger: cannot create \(dir): \(String(cString: strerror(errno)))")
                    throw ExitCode(Console.Exit.cannotCreate)
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
