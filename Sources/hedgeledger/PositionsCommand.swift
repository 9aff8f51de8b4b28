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
        @OptionGroup var scope: PositionScopeOptions

        func run() throws {
            try Console.run {
                let now = Console.now()
                let opened = try ledger.open(create: false, now: now)
                let report = try PositionsReport.build(ledger: opened, at: scope.at?.timestamp, now: now, filter: scope.filter)
                Console.output(output.format.render(report.table))
            }
        }
    }
}
