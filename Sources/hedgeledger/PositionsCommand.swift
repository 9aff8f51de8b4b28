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
                no settlement price yet). Settlements are derived by `hedgeledger recompute` \
                and read as it stored them: when it is behind the ledger and a position is past \
                its expiry, stderr says so. (JSON's behind is true whenever recompute is behind \
                the ledger, expiries or not: docs/json.md.) Average prices and P&L are shown rounded half-even \
                to 8 decimals in the table; CSV and JSON carry them in full. Voided fills do \
                not count unless --include-voided.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var scope: PositionScopeOptions

        @Flag(help: "Count voided fills too: the book as it stood before the corrections (see `hedgeledger void`).")
        var includeVoided = false

        func run() throws {
            try output.printReport(of: ledger) { opened, now in
                try scope.filter.validate(in: opened)
                let report = try PositionsReport.build(ledger: opened, at: scope.at, now: now, filter: scope.filter,
                                                       includeVoided: includeVoided)
                if report.settlementsMayBeBehind, let warning = report.freshness.warning(about: .settlements) {
                    Console.message(warning)
                }
                return report.report
            }
        }
    }
}
