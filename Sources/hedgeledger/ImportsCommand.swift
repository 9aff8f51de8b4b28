import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Imports: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "List every import: when, what file, its SHA-256 and size, format, counts, and whether it was voided.",
            discussion: "Compare the sha256 column with `sha256sum FILE` to prove which bytes an import read.")

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        func run() throws {
            try output.printReport(of: ledger) { opened, _ in try ImportsReport.build(ledger: opened).report }
        }
    }
}
