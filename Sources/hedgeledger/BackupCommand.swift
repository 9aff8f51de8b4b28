import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Backup: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Copy the ledger, consistently, while others read and write it; the copy is verified.",
            discussion: """
                Uses SQLite's online backup API on a read-only connection: imports and recomputes may \
                run meanwhile, and the copy is the ledger as of one moment. The copy is written beside \
                PATH under a temporary name, readable by its owner only (0600), checked by a full \
                `verify`, and renamed to PATH only if it passes: a failed backup leaves nothing. An \
                existing PATH is never replaced. Prints the copy's chain head. Example:
                  hedgeledger backup /backups/desk-2026-11-20.sqlite
                """)

        @OptionGroup var ledger: LedgerOptions

        @Argument(help: ArgumentHelp("Where to write the copy (a new file).", valueName: "path"))
        var path: String

        func run() throws {
            try Console.run {
                let now = Console.now()
                let opened = try ledger.openForReading(now: now)
                let result = try LedgerBackup(ledger: opened, codeVersion: Hedgeledger.version).backup(to: path, now: now)
                Console.message("backed up to \(path) and verified: \(result.records) records, \(result.fills) fills"
                                + (result.head.map { "; chain head \($0.hash)" } ?? ""))
            }
        }
    }
}
