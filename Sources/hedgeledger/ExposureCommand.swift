import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Exposure: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Show the book at one moment: net delta, hedge ratio, required hedge, and the positions behind them.",
            discussion: """
                For each book and underlying, the exposure row `hedgeledger recompute` stored last at \
                or before --at (default now): options delta (plain and net), hedge delta, net delta \
                of the hedged kind, hedge ratio, the trade in hedge_instrument that brings net delta \
                to target (required_hedge), greeks, prices, and positions_agree (the listed \
                positions sum to the row's net delta; false only when the history is behind). Below \
                it, each position with its role (option, hedge or other under the book's settings), \
                greeks, and the mark used: its time and its age at --at, flagged stale past \
                --max-mark-age. Positions are valued as the row was, at row_time: nothing that moves \
                exposure happened between row_time and --at. Nothing is computed here that recompute \
                did not store; when changes were recorded since its last run, stderr says the history \
                is behind, and JSON has behind: true.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions
        @OptionGroup var scope: PositionScopeOptions

        @OptionGroup var markAge: MarkAgeOptions

        func run() throws {
            try output.printReport(of: ledger) { opened, now in
                try scope.filter.validate(in: opened)
                let at = scope.at ?? now
                let report = try ExposureReport.build(ledger: opened, at: at, now: now, filter: scope.filter,
                                                      maxMarkAgeSeconds: markAge.maxMarkAge)
                if let warning = report.freshness.warning(about: .exposureHistory) {
                    Console.message(warning)
                } else if report.pairs.isEmpty {
                    Console.message("hedgeledger: no exposure at or before \(at.iso8601)\(scope.book.map { " in book \($0)" } ?? "")")
                }
                return report.report
            }
        }
    }
}
