import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Voids: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every void: what it took out (an import or one fill), how many fills, who, when and why.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            try output.printReport(of: ledger) { opened, _ in try VoidsReport.build(ledger: opened).report }
        }
    }
}
