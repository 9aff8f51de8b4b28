import ArgumentParser
import HedgeLedger
#if canImport(Glibc)
import Glibc
#endif

extension Hedgeledger {
    struct Import: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import trades, market snapshots or instrument definitions into the ledger.",
            subcommands: [Trades.self, Snapshots.self, Instruments.self, Decisions.self])
    }
}

/// Options every import shares.
struct ImportOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Wait up to this many seconds for another writer to finish.",
        discussion: "Only one process writes at a time; without --wait an import fails at once when another holds the write lock. Readers are never blocked.",
        valueName: "seconds"))
    var wait: Double = 0

    @Flag(help: "Print nothing but errors and warnings (fills dated after now).")
    var quiet = false

    @Flag(help: "Bring the exposure history up to date after the imports, as `hedgeledger recompute` does.")
    var recompute = false

    func validate() throws {
        guard wait >= 0 else { throw ValidationError("--wait must be zero or more seconds") }
    }
}

extension Hedgeledger.Import {
    struct Trades: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import fills from trade CSV files: the native format, a Deribit transaction log, or another venue's through --map.",
            discussion: """
                Each file is imported in one transaction: if any row is bad, nothing from that \
                file is written and every bad row is reported as FILE:LINE:COLUMN: message. \
                Fills already in the ledger (same venue and trade_id, same content) are skipped \
                as duplicates, so importing a file twice adds nothing the second time. A fill \
                keeps the book it was first imported into: a row without a book column is the \
                same fill whatever --book says (the summary names the book it is in), a row or \
                log whose book differs is refused; to move fills, void their import. Files \
                are imported in the order given; a refused file does not stop the others, but \
                the exit code is 65.

                Required columns: trade_id, timestamp, instrument, side, quantity, price. \
                Optional: book, fee, fee_currency, venue, order_id, hedge_decision, note.

                A Deribit transaction log (any of its four header versions) is recognised by its \
                header. Its rows are applied in UserSeq order (newest-first files and overlapping \
                downloads import cleanly) and kept with all their columns; trades and position \
                moves become fills of venue deribit keyed by Deribit's trade id, into --book. \
                Each new row is checked: the book's position after it equals the log's Position, \
                Change equals Cash Flow minus Fee Charged (or Cash Flow when the fee came from the \
                fee balance), and the running balance equals Balance. A mismatch refuses the file \
                with both values, unless --no-check. Account and currency come from the file name \
                (transaction_log-<uid>-<CUR>-….csv) or --account and --currency. Example:
                  hedgeledger import trades --book deribit-main transaction_log-123456-BTC-2026-11.csv

                With --map, every file is read through a mapping (bybit, okx and tastytrade are \
                built in; a JSON file of your own is described in docs/mappings.md) and its rows \
                are then validated as native rows:
                  hedgeledger import trades --map bybit bybit-transactions.csv
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var importOptions: ImportOptions

        @Option(help: ArgumentHelp("The book of rows that name none.", valueName: "name"))
        var book: String = "main"

        @Flag(help: "Read native timestamps without a zone as UTC instead of refusing them (not with --map: a mapping names its zone).")
        var assumeUTC = false

        @Option(help: ArgumentHelp("The account of a Deribit transaction log; default from its file name (transaction_log-<uid>-<CUR>-….csv).", valueName: "uid"))
        var account: String?

        @Option(help: ArgumentHelp("The currency of a Deribit transaction log; default from its file name.", valueName: "code"))
        var currency: String?

        @Option(help: ArgumentHelp("Read the files through a mapping: bybit, okx, tastytrade (built in), or a mapping file (JSON; see docs/mappings.md).", valueName: "name|file"))
        var map: String?

        @Flag(help: "Import a Deribit transaction log whose Position, Change, Balance or coin option premium (Cash Flow) disagrees with the ledger, recording each difference (see `hedgeledger balances`) instead of refusing the file.")
        var noCheck = false

        @Argument(help: ArgumentHelp("Trade CSV files; - reads standard input.", valueName: "file"))
        var files: [String]

        func validate() throws {
            guard !book.isEmpty else { throw ValidationError("--book must not be empty") }
            if let account, account.isEmpty || account.contains(where: \.isWhitespace) {
                throw ValidationError("--account '\(account.escapingControlCharacters)' must be a venue account id without spaces")
            }
            if let currency, !InstrumentName.isCurrencyCode(currency.uppercased()) {
                throw ValidationError("--currency '\(currency.escapingControlCharacters)' is not a currency code such as BTC or USDC")
            }
            guard files.filter({ $0 == "-" }).count <= 1 else { throw ValidationError("standard input (-) can be read only once") }
            if map != nil, !logOnlyOptions.isEmpty {
                throw ValidationError("\(logOnlyPhrase) \(logOnlyOptions.count == 1 ? "applies" : "apply") to Deribit transaction logs, which are read without --map; drop \(logOnlyPhrase)")
            }
            if map != nil, assumeUTC {
                throw ValidationError("--assume-utc does not apply with --map: a mapping's timestamps are read in its own zone; give the mapping \"zone\": \"UTC\" (docs/mappings.md)")
            }
        }

        /// The options given that only a Deribit transaction log reads, as a phrase: "--account, --currency and --no-check".
        private var logOnlyPhrase: String {
            let options = logOnlyOptions
            return options.count <= 1 ? options.joined() : options.dropLast().joined(separator: ", ") + " and " + options.last!
        }

        /// The options given that only a Deribit transaction log reads.
        private var logOnlyOptions: [String] {
            [account.map { _ in "--account" }, currency.map { _ in "--currency" }, noCheck ? "--no-check" : nil].compactMap { $0 }
        }

        func run() throws {
            var mapping: TradeMapping?
            if let map {
                do { mapping = try TradeMapping.load(map) } catch let problem as TradeMapping.Problem {
                    Console.message("hedgeledger: mapping \(problem.description)")
                    throw ExitCode(problem.unknownName ? Console.Exit.usage : problem.unreadable ? Console.Exit.cannotRead : Console.Exit.inputRefused)
                }
            }
            try importOptions.importEach(files, ledger: ledger) { opened, source, now in
                let importer = TradeImporter(
                    ledger: opened, options: NativeTradeFormat.Options(defaultBook: book, assumeUTC: assumeUTC),
                    venueLogOptions: VenueLogOptions(account: account, currency: currency?.uppercased(), check: !noCheck),
                    mapping: mapping, waitSeconds: importOptions.wait)
                let progress = ProgressLine(enabled: !importOptions.quiet && Console.stderrIsTerminal)
                defer { progress.clear() }
                let summary = try importer.importTrades(from: source, now: now, progress: progress.show)
                if summary.venueLog == nil, !logOnlyOptions.isEmpty {
                    progress.clear()
                    Console.message("hedgeledger: note: \(source.name) is not a Deribit transaction log, so \(logOnlyPhrase) did nothing for it")
                }
                // A warning outlives --quiet: a mistyped year must not pass unseen in a nightly job.
                if importOptions.quiet, let warning = summary.afterNowWarning { Console.message("hedgeledger: \(warning)") }
                return summary.line
            }
        }
    }

    struct Snapshots: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import market snapshots: the native format or Tardis options_chain, plain or gzip.",
            discussion: """
                The format is detected from the header; gzip files (.csv.gz) are read as they \
                stream. Each file is imported in one transaction: if any row is bad, nothing from \
                it is written and every bad row is reported as FILE:LINE:COLUMN: message. \
                Snapshots already in the ledger are skipped as duplicates.

                Native columns: timestamp, instrument, mark_price (required); underlying_price \
                (required for options), mark_iv (percent; implied from mark_price when absent), \
                index_price, bid_iv, ask_iv, bid_price, ask_price, interest_rate, kind \
                (mark|settlement), delta, gamma, vega, theta, rho. A row naming an index (btc_usd) is an index price; with kind \
                settlement, the price the expiry at that time settles at.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var importOptions: ImportOptions

        @Flag(help: "Read native timestamps without a zone as UTC instead of refusing them.")
        var assumeUTC = false

        @Argument(help: ArgumentHelp("Snapshot CSV files, optionally gzip-compressed; - reads standard input.", valueName: "file"))
        var files: [String]

        func run() throws {
            try importOptions.importEach(files, ledger: ledger) { opened, source, now in
                let progress = ProgressLine(enabled: !importOptions.quiet && Console.stderrIsTerminal)
                defer { progress.clear() }
                return try SnapshotImporter(ledger: opened, assumeUTC: assumeUTC, waitSeconds: importOptions.wait)
                    .importSnapshots(from: source, now: now, progress: progress.show).line
            }
        }
    }

    struct Instruments: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Describe instruments whose names hedgeledger cannot read (CSV; see the README).",
            discussion: """
                Required columns: symbol, kind (option|future|perpetual|spot), underlying, \
                settlement_currency, inverse (true|false). Optional: quote_currency, option_type \
                (call|put), strike, expiry (ISO-8601), multiplier (default 1), contract_size. \
                A symbol already defined identically is skipped; defined differently, it is an error. \
                A name hedgeledger reads itself (BTC-PERPETUAL) cannot be given another definition.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var importOptions: ImportOptions

        @Argument(help: ArgumentHelp("Instrument CSV files; - reads standard input.", valueName: "file"))
        var files: [String]

        func run() throws {
            try importOptions.importEach(files, ledger: ledger) { opened, source, now in
                try InstrumentImporter(ledger: opened, waitSeconds: importOptions.wait)
                    .importInstruments(from: source, now: now).line
            }
        }
    }
}

extension Hedgeledger.Import {
    struct Decisions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Import an external hedger's decision log (CSV; see the README).",
            discussion: """
                Required columns: decision_id, time (ISO-8601 with a zone), book, underlying, action \
                (rebalance|hold|skip). Optional: instrument, quantity (signed, positive buys), \
                reference_price, reason (required for skip), rationale, decided_by, and the inputs \
                the hedger saw: net_delta, gamma, band_low, band_high, underlying_price (taken from \
                the exposure history when net_delta and the others are all empty). All or nothing \
                per file; the same decision_id again with the same content is skipped, with other \
                content an error. Fills execute a decision by naming its decision_id in their \
                hedge_decision column.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var importOptions: ImportOptions

        @Flag(help: "Read times without a zone as UTC instead of refusing them.")
        var assumeUTC = false

        @Argument(help: ArgumentHelp("Decision CSV files; - reads standard input.", valueName: "file"))
        var files: [String]

        func run() throws {
            try importOptions.importEach(files, ledger: ledger) { opened, source, now in
                try DecisionImporter(ledger: opened, assumeUTC: assumeUTC, waitSeconds: importOptions.wait)
                    .importDecisions(from: source, now: now).line
            }
        }
    }
}

extension ImportOptions {
    /// Imports each file in turn, each on its own: a refused file is reported and the rest go
    /// on, and the exit code says one failed. A database that cannot be used stops everything.
    func importEach(_ files: [String], ledger: LedgerOptions,
                    _ importOne: (Ledger, ByteSource, Timestamp) throws -> String) throws {
        var failure: ExitCode?
        // A ledger this run creates and fills with nothing is not left behind: a refused import
        // leaves the disk as it was.
        let existed = access(ledger.path, F_OK) == 0
        var imported = false
        try Console.run {
            let now = Console.now()
            let opened = try ledger.openForWriting(create: true, now: now)
            for file in files {
                do {
                    let summary = try importOne(opened, try ByteSource(path: file), now)
                    imported = true
                    if !quiet { Console.message(summary) }
                } catch let error as LedgerError {
                    throw error
                } catch let error as InputErrors {
                    Console.message(error.description)
                    failure = failure ?? Console.exitCode(for: error)
                } catch {
                    let code = Console.report(error)  // always reported, whatever failed before
                    failure = failure ?? code
                }
            }
            if recompute {
                let summary = try RecomputeService(ledger: opened, codeVersion: Hedgeledger.version, waitSeconds: wait)
                    .recompute(now: now)
                if !quiet { Console.message(summary.line) }
            }
        }
        if let failure {
            if !existed && !imported {
                for suffix in ["", "-wal", "-shm"] { unlink(ledger.path + suffix) }
            }
            throw failure
        }
    }
}

/// A single status line on a terminal's stderr, rewritten in place.
final class ProgressLine {
    let enabled: Bool
    private var shown = false

    init(enabled: Bool) { self.enabled = enabled }

    private var lastShownRows = 0

    func show(_ progress: ImportProgress) {
        guard enabled, progress.rows - lastShownRows >= 50_000 else { return }
        lastShownRows = progress.rows
        var text = "\r\(progress.rows) rows"
        if let total = progress.totalBytes, total > 0 { text += " (\(progress.bytes * 100 / total)%)" }
        Console.writeToStandardError(text)
        shown = true
    }

    func clear() {
        if shown { Console.writeToStandardError("\r\u{1B}[K") }
        shown = false
    }
}
