import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Positions: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show positions derived from the fills, now or as of any past time.",
            discussion: """
                Per book and instrument: signed net quantity (in the instrument's amount unit), \
                average entry price (average-cost method), realised P&L in the settlement \
                currency, fees by currency, and first and last fill. Status is open, flat, \
                settled (past expiry, closed at its settlement price: an imported settlement \
                row, else the index at most an hour before expiry), or expired (past expiry, \
                no settlement price yet). Average prices and P&L are shown rounded half-even \
                to 8 decimals.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(help: ArgumentHelp("Positions as of this time (ISO-8601 with a zone, or a date YYYY-MM-DD meaning 00:00Z); default now.",
                                   valueName: "time"))
        var at: TimeArgument?

        @Option(help: ArgumentHelp("Only this book.", valueName: "name"))
        var book: String?

        @Option(help: ArgumentHelp("Only instruments on this underlying (BTC, ETH, ...).", valueName: "coin"))
        var underlying: String?

        func run() throws {
            try Console.run {
                let now = Console.now()
                let opened = try ledger.open(create: false, now: now)
                let report = try PositionsReport.build(ledger: opened, at: at?.timestamp, now: now,
                                                       filter: .init(book: book, underlying: underlying))
                Console.output(output.format.render(report.table))
            }
        }
    }
}
