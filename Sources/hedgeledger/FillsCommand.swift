import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Fills: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List the fills behind positions: each with its import and line, in the order positions apply them.",
            discussion: """
                What a reconciliation difference or a correction is traced to: `reconcile positions` \
                says BTC-PERPETUAL differs, `fills --instrument BTC-PERPETUAL` lists what makes the \
                ledger's figure, and `imports` says where each import came from. Voided fills are \
                left out, as positions leave them out; --include-voided lists them too, marked \
                voided, beside their corrections (a later revision of the same trade id). \
                It only reads the ledger. Example:
                  hedgeledger fills --book main --instrument BTC-PERPETUAL --from 2026-11-20 --include-voided
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @OptionGroup var range: RangeOptions

        @Option(help: ArgumentHelp("Only this instrument (any case; an unknown name is an error with the nearest one).", valueName: "name"))
        var instrument: String?

        @Flag(help: "List voided fills too, marked voided.")
        var includeVoided = false

        func run() throws {
            try output.printReport(of: ledger) { opened, _ in
                try FillsReport.build(ledger: opened, filter: .init(book: range.book, underlying: range.underlying, instrument: instrument,
                                                                     from: range.from, to: range.to, includeVoided: includeVoided)).report
            }
        }
    }
}
