import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Verify: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check that the ledger is whole and that nothing in it was changed after it was recorded.",
            discussion: """
                Runs SQLite's integrity and foreign-key checks, checks the schema against the \
                migrations, recomputes the journal chain (every import with its fills, void, book \
                setting, policy, decision and link, in the order they were written; docs/journal.md) \
                from the records as stored now, checks that every record is chained and every fill \
                and venue log row matches its import's digests, that every position assertion (not \
                withdrawn) still holds, compares the stored positions with a rebuild from the \
                fills, and the stored exposure history and settlements with a recompute. Names the \
                first thing wrong in each check and exits 2 when any fails. Prints the chain head: \
                write it in the day's sign-off, and later `verify --head HASH` shows that nothing up \
                to it has changed since.
                """)

        @OptionGroup var ledger: LedgerOptions
        @OptionGroup var output: FormatOptions

        @Option(help: ArgumentHelp("A head printed by an earlier verify: check that it is still part of the chain.", valueName: "hash"))
        var head: String?

        func validate() throws {
            if let head, head.count != 64 || !head.lowercased().allSatisfy({ "0123456789abcdef".contains($0) }) {
                throw ValidationError("--head '\(head.escapingControlCharacters)' is not a chain head: 64 hexadecimal digits, as verify prints them")
            }
        }

        @Flag(help: "Only SQLite's checks, the schema, the chain, the instruments, the fills, the venue log rows and the assertions: skip the market data, the positions rebuild and the history recompute.")
        var quick = false

        func run() throws {
            var passed = true
            var line = ""
            try output.printReport(of: ledger) { opened, _ in
                let result = try LedgerVerifier(ledger: opened, codeVersion: Hedgeledger.version, clock: Console.now).verify(head: head, quick: quick)
                passed = result.passed
                line = result.passed
                    ? "verified: \(result.records) records and \(result.fills) fills; chain head \(result.head?.hash ?? "(empty)")"
                    : "verification FAILED: see the checks marked FAILED"
                return VerifyReport(result: result).report
            }
            Console.message(line)
            if !passed { throw ExitCode(Console.Exit.historyDiffers) }
        }
    }
}
