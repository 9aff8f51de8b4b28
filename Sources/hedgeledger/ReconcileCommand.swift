import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Reconcile: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check the ledger against a venue: its positions against the venue's report of them.",
            subcommands: [Positions.self])
    }
}

extension Hedgeledger.Reconcile {
    struct Positions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Compare the ledger's positions with a venue position report; exit 2 when anything differs.",
            discussion: """
                FILE is Deribit's private/get_positions as JSON (the response, or its result array) \
                or the same fields as CSV: instrument_name (or instrument), size (signed; USD for \
                inverse futures and perpetuals, coin for options), and average_price and delta when \
                present; other fields are ignored. Names are compared ignoring case and runs of \
                spaces. The ledger's positions as of --at (default now; not after now), of \
                the books given (default every book, summed per instrument; instruments expired \
                by --at left out, as the venue no longer lists them), are compared: match \
                (within --tolerance, default 0: exact), differs, ledger-only (the report leaves out a \
                position the ledger holds: never read as flat) and venue-only. Average prices are \
                shown, and with --price-tolerance compared too (where both sides give one; the \
                ledger's is known when one book holds the position). The ledger is read only. \
                Exit 0 when everything matches, 2 when anything does not, 65 when the report is \
                refused (each problem located; nothing is compared), 66 when it cannot be read, 64 \
                for a bad option. Example:
                  hedgeledger reconcile positions positions-btc.json --currency BTC --book main --tolerance 0.0001 --price-tolerance 0.5
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Argument(help: ArgumentHelp("The venue's position report (JSON or CSV).", valueName: "file"))
        var file: String

        @Option(help: ArgumentHelp("When the report was taken: ISO-8601 with a zone, or a date; not after now; default now.", valueName: "time"),
                transform: TimeArgument.parse)
        var at: Timestamp?

        @Option(name: .customLong("book"), help: ArgumentHelp("A book the venue account holds (repeat for several); default every book.", valueName: "name"))
        var books: [String] = []

        @Option(help: ArgumentHelp("Only the ledger's positions settled in this currency (BTC, ETH, USDC ...): Deribit's get_positions reports one currency at a time, and without it the others would all be ledger-only.", valueName: "currency"),
                transform: { $0.uppercased() })
        var currency: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("The largest difference in quantity that still matches (the instrument's amount unit).", valueName: "amount"))
        var tolerance: String = "0"

        @Option(parsing: .unconditional,
                help: ArgumentHelp("Compare average prices too: the largest difference that still matches (in the instrument's price currency). Default: not compared.", valueName: "amount"))
        var priceTolerance: String?

        func validate() throws {
            for (option, text) in [("--tolerance", tolerance), ("--price-tolerance", priceTolerance)] {
                guard let text else { continue }
                guard case .success(let value) = DecimalSyntax.parse(text), !value.isNegative else {
                    throw ValidationError("\(option) '\(text.escapingControlCharacters)' must be a decimal number, zero or more")
                }
            }
            if file == "-" { throw ValidationError("give the report as a file: it is read twice to tell JSON from CSV") }
        }

        func run() throws {
            var differs = false
            try Console.run {
                let now = Console.now()
                if let at, at > now {
                    throw Console.UsageRefusal(description: "--at \(at.iso8601) is after now (\(now.iso8601)): a venue's report is of a time that has passed")
                }
                let opened = try ledger.openForReading(now: now)
                for book in books { try PositionsReport.Filter(book: book).validate(in: opened) }
                let venue = try VenuePositionReport.read(path: file)
                let reconciled = try ReconciliationReport.build(ledger: opened, venue: venue, at: at ?? now, now: now,
                                                                books: Array(Set(books)).sorted(), currency: currency,
                                                                tolerance: try DecimalSyntax.parse(tolerance).get(),
                                                                priceTolerance: try priceTolerance.map { try DecimalSyntax.parse($0).get() })
                Console.output(output.format.render(reconciled.report))
                differs = reconciled.differs
                let counts = Dictionary(grouping: reconciled.lines, by: \.status).mapValues(\.count)
                Console.message("\(counts[.match] ?? 0) match, \(counts[.differs] ?? 0) differ, \(counts[.ledgerOnly] ?? 0) only in the ledger, \(counts[.venueOnly] ?? 0) only in the report")
                if let first = reconciled.lines.first(where: { $0.status == .differs || $0.status == .ledgerOnly }) {
                    var words = ["hedgeledger", "fills"]
                    if let db = ledger.db { words += ["--db", db] }
                    words += ["--instrument", first.instrument]
                    if books.count == 1 { words += ["--book", books[0]] }
                    if let at { words += ["--to", at.iso8601] }
                    Console.message("the fills behind the ledger's figure: " + words.map(\.shellWord).joined(separator: " "))
                }
                if reconciled.priceTolerance != nil {
                    let notCompared = reconciled.lines.filter { ($0.status == .match || $0.status == .differs) && $0.priceDifference == nil }
                    if !notCompared.isEmpty {
                        Console.message("average prices not compared for \(notCompared.map(\.instrument).joined(separator: ", ")): the report gives none, or several books hold the position")
                    }
                }
            }
            if differs { throw ExitCode(Console.Exit.historyDiffers) }
        }
    }
}
