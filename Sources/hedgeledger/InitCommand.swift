import ArgumentParser
import HedgeLedger

extension Hedgeledger {
    struct Init: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a ledger database, or bring an existing one's schema up to date.",
            discussion: "A new file is readable by its owner only. A ledger made by an older hedgeledger is migrated here, and only here: other commands refuse it and say to run init. A database made by a newer hedgeledger is refused and left untouched.")

        @OptionGroup var ledger: LedgerOptions

        func run() throws {
            try Console.run {
                let now = Console.now()
                let opened = try ledger.openForWriting(create: true, migrate: true, now: now)
                // A ledger from before the journal chain: its records are chained now, in the order they were written.
                let chained = try opened.write { try JournalChain.backfill(ledger: opened) }
                if chained > 0 { Console.message("\(chained) existing record\(chained == 1 ? "" : "s") added to the journal chain") }
                Console.message("\(opened.path): ledger ready (schema version \(Schema.migrations.count))")
            }
        }
    }
}
